/**
 * Internal, not API: the AdaIN encoder and decoder as eager ND4J ops (NCHW, float32), their weights in the
 * layout ND4J's conv2d runs best with, and the pool that reuses intermediate buffers between passes; and the same two
 * networks in bfloat16 on oneDNN called directly ({@code Bf16Encoder}, {@code Bf16Decoder}, {@code Dnnl}), for
 * inference only. Used by the provider's style model and by training; may change in any release.
 */
package org.adain.dl4j.graph;
