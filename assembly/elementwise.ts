// Elementwise kernels (being written).

export { mathf4Apply } from './mathf4';
