// (kernels of this file are being written)
