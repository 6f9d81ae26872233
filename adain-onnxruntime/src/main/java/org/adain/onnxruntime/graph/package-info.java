/** The AdaIN encoder and decoder as ONNX graphs built from the SPI's weights. Internal to adain-onnxruntime. */
package org.adain.onnxruntime.graph;
