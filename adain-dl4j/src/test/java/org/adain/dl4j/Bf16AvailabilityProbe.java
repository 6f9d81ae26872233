package org.adain.dl4j;

import org.adain.BackendException;
import org.adain.dl4j.graph.Dnnl;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.Tensor;

/**
 * Run by {@link Bf16AvailabilityTest} in a JVM of its own (oneDNN reads {@code ONEDNN_MAX_CPU_ISA} once per
 * process, and a classpath without the dnnl natives must be a fresh one): prints what {@link Dnnl#bf16Support()}
 * says, whether a bf16 model is built or refused, and whether the float32 model still runs. Not a test.
 */
public final class Bf16AvailabilityProbe {
    private Bf16AvailabilityProbe() {
    }

    public static void main(String[] args) {
        Dnnl.Bf16Support s = Dnnl.bf16Support();
        System.out.println("probe.level=" + s.level());
        System.out.println("probe.isa=" + s.isa());
        System.out.println("probe.message=" + s.message());
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, 4, 5, 6, 8, 1);
        DecoderWeights dw = TestNets.decoder(4, 5, 6, 8, 2);
        Tensor x = Tensor.wrap(TestNets.toNd4j(TestNets.randomImage(1, 3, 16, 16, 3)).data().asFloat(), 1, 3, 16, 16);
        float[] bf16 = null;
        try (Dl4jStyleModel m = new Dl4jStyleModel(ew, dw, true)) {
            Tensor y = m.decode(m.encode(x));
            System.out.println("probe.bf16=built " + y.shape().length);
            bf16 = y.toArray();
        } catch (BackendException e) {
            System.out.println("probe.bf16=refused " + e.getMessage());
        }
        try (Dl4jStyleModel m = new Dl4jStyleModel(ew, dw)) {
            Tensor y = m.decode(m.encode(x));
            System.out.println("probe.f32=ok " + java.util.Arrays.toString(y.shape()));
            if (bf16 != null) {
                // max |bf16 − f32| over the f32 range: the emulated kernels must compute what the native ones do
                float[] f32 = y.toArray();
                double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, diff = 0;
                for (int i = 0; i < f32.length; i++) {
                    min = Math.min(min, f32[i]);
                    max = Math.max(max, f32[i]);
                    diff = Math.max(diff, Math.abs(bf16[i] - f32[i]));
                }
                System.out.println("probe.diff=" + diff / (max - min));
            }
        }
    }
}
