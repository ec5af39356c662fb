import { Activation, type ActivationArgs } from './activation-layer.js';
import { Dense, type DenseArgs } from './dense.js';
import { Dropout, type DropoutArgs } from './dropout.js';
import { Flatten, type FlattenArgs } from './flatten.js';
import { InputLayer } from './input-layer.js';
import type { LayerArgs } from './layer.js';

/** A fully connected layer (units, activation, useBias, initializers). */
export function dense(args: DenseArgs): Dense {
  return new Dense(args);
}

/** A layer applying an activation function. */
export function activation(args: ActivationArgs): Activation {
  return new Activation(args);
}

/** Randomly zeroes a fraction `rate` of inputs during training. */
export function dropout(args: DropoutArgs): Dropout {
  return new Dropout(args);
}

/** Flattens each example to one dimension. */
export function flatten(args: FlattenArgs = {}): Flatten {
  return new Flatten(args);
}

/** Declares a model's input shape. */
export function inputLayer(args: LayerArgs): InputLayer {
  return new InputLayer(args);
}

export { Layer } from './layer.js';
export type { ActivationArgs, DenseArgs, DropoutArgs, FlattenArgs, LayerArgs };
export { Activation, Dense, Dropout, Flatten, InputLayer };

import { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
import { GaussianNoise, type GaussianNoiseArgs } from './gaussian-noise.js';

/** Normalizes each feature with batch statistics in training and moving statistics at inference (Keras semantics). */
export function batchNormalization(args: BatchNormalizationArgs = {}): BatchNormalization {
  return new BatchNormalization(args);
}

/** Adds zero-centred Gaussian noise (standard deviation `stddev`) during training. */
export function gaussianNoise(args: GaussianNoiseArgs): GaussianNoise {
  return new GaussianNoise(args);
}

export type { BatchNormalizationArgs, GaussianNoiseArgs };
export { BatchNormalization, GaussianNoise };

import { Reshape, type ReshapeArgs } from './reshape.js';

/** Reshapes each example to `targetShape` (the batch dimension kept), as `tf.layers.reshape`. */
export function reshape(args: ReshapeArgs): Reshape {
  return new Reshape(args);
}

export type { ReshapeArgs };
export { Reshape };

import type { TextVectorizationArgs } from '../text/options.js';
import { TextVectorization } from './text-vectorization.js';

/** Turns texts into token indices or bags of tokens (Keras's TextVectorization): a preprocessing stage, run before a model. */
export function textVectorization(args: TextVectorizationArgs = {}): TextVectorization {
  return new TextVectorization(args);
}

export type { TextVectorizationConfig, TextVectorizationFunctions } from '../text/config.js';
export type { SubwordTokenizer } from '../text/tokenizer.js';
export type { TextVectorizationArgs };
export { TextVectorization };

import { Embedding, type EmbeddingArgs } from './embedding.js';

/**
 * Turns integer ids into trainable vectors (`tf.layers.embedding`): input [batch, ...] of ids in
 * [0, inputDim), output [batch, ..., outputDim]; with maskZero, id 0 is padding and masked.
 */
export function embedding(args: EmbeddingArgs): Embedding {
  return new Embedding(args);
}

export type { EmbeddingArgs };
export { Embedding };

import { GlobalAveragePooling1D, GlobalMaxPooling1D, type GlobalPooling1DArgs } from './global-pooling.js';

/** Averages a sequence [batch, steps, channels] over its steps (over the real ones with a mask). */
export function globalAveragePooling1d(args: GlobalPooling1DArgs = {}): GlobalAveragePooling1D {
  return new GlobalAveragePooling1D(args);
}

/** The maximum of a sequence [batch, steps, channels] over its steps (over the real ones with a mask). */
export function globalMaxPooling1d(args: GlobalPooling1DArgs = {}): GlobalMaxPooling1D {
  return new GlobalMaxPooling1D(args);
}

export type { GlobalPooling1DArgs };
export { GlobalAveragePooling1D, GlobalMaxPooling1D };

import { Conv1D, type Conv1DArgs } from './conv1d.js';

/** A 1-D convolution over sequences [batch, steps, channels] (filters, kernelSize, strides, padding, dilationRate). */
export function conv1d(args: Conv1DArgs): Conv1D {
  return new Conv1D(args);
}

export type { Conv1DArgs };
export { Conv1D };

import { AveragePooling1D, MaxPooling1D, type Pooling1DArgs } from './pooling.js';

/** The maximum of each window of steps of a sequence (poolSize, strides, padding). */
export function maxPooling1d(args: Pooling1DArgs = {}): MaxPooling1D {
  return new MaxPooling1D(args);
}

/** The mean of each window of steps of a sequence (poolSize, strides, padding). */
export function averagePooling1d(args: Pooling1DArgs = {}): AveragePooling1D {
  return new AveragePooling1D(args);
}

export type { Pooling1DArgs };
export { AveragePooling1D, MaxPooling1D };

import { SpatialDropout1D, type SpatialDropout1DArgs } from './spatial-dropout.js';
import { TimeDistributed, type TimeDistributedArgs } from './time-distributed.js';

/** Drops whole channels of a sequence during training (noise shape [batch, 1, channels]). */
export function spatialDropout1d(args: SpatialDropout1DArgs): SpatialDropout1D {
  return new SpatialDropout1D(args);
}

/** Applies a layer (e.g. a dense) to every time step of a sequence. */
export function timeDistributed(args: TimeDistributedArgs): TimeDistributed {
  return new TimeDistributed(args);
}

export type { SpatialDropout1DArgs, TimeDistributedArgs };
export { SpatialDropout1D, TimeDistributed };

import { GRU, type GRUArgs } from './gru.js';
import { LSTM, type LSTMArgs } from './lstm.js';
import type { RecurrentActivation, RecurrentArgs } from './recurrent.js';
import { SimpleRNN, type SimpleRNNArgs } from './simple-rnn.js';

/**
 * Long short-term memory layer over [batch, steps, features] (tfjs's options; recurrentActivation
 * defaults to 'hardSigmoid' as in tfjs, where Keras 3 uses 'sigmoid'). The time loop runs in one
 * fused Wasm kernel.
 */
export function lstm(args: LSTMArgs): LSTM {
  return new LSTM(args);
}

/** Gated recurrent unit layer (tfjs's options; resetAfter defaults to false as in tfjs, Keras 3 to true). */
export function gru(args: GRUArgs): GRU {
  return new GRU(args);
}

/** Fully connected recurrent layer: h_t = activation(x·W + h_{t−1}·U + b). */
export function simpleRNN(args: SimpleRNNArgs): SimpleRNN {
  return new SimpleRNN(args);
}

export type { GRUArgs, LSTMArgs, RecurrentActivation, RecurrentArgs, SimpleRNNArgs };
export { GRU, LSTM, SimpleRNN };

import { Bidirectional, type BidirectionalArgs, type BidirectionalMergeMode } from './bidirectional.js';

/** Runs a recurrent layer forwards and a copy of it backwards, and merges the outputs (mergeMode 'concat' by default). */
export function bidirectional(args: BidirectionalArgs): Bidirectional {
  return new Bidirectional(args);
}

export type { BidirectionalArgs, BidirectionalMergeMode };
export { Bidirectional };
