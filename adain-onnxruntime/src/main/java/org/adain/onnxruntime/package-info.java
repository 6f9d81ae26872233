/**
 * The ONNX Runtime backend: {@link org.adain.onnxruntime.OnnxRuntimeBackendProvider}, found by
 * {@link java.util.ServiceLoader} with adain-onnxruntime on the class path. Inference only, on the CPU of Linux,
 * macOS and Windows from one jar, or on CUDA with {@code onnxruntime_gpu}.
 */
package org.adain.onnxruntime;
