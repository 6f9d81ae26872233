/**
 * A minimal ONNX protobuf encoder: the few messages the encoder and decoder graphs need, written without protobuf
 * or the onnx library. Internal to adain-onnxruntime.
 */
package org.adain.onnxruntime.onnx;
