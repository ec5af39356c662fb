// Types of raster.js, for the Node tests (TypeScript).

export declare const FINE: number;
export declare const GRID: number;
export declare const PATH_HEIGHT: number;
export declare const PATH_WIDTH: number;
export declare const INK_PIXELS: number;

export declare function rasterize(strokes: ReadonlyArray<ReadonlyArray<{ x: number; y: number }>>): Float32Array;
