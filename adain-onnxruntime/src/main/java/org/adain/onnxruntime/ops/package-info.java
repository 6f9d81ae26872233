/** AdaIN and its statistics on heap float32 maps. Internal to adain-onnxruntime. */
package org.adain.onnxruntime.ops;
