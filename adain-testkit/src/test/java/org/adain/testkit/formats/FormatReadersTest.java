package org.adain.testkit.formats;

import static org.adain.testkit.formats.FormatFixtures.FLOAT16_DECODER;
import static org.adain.testkit.formats.FormatFixtures.FLOAT16_ENCODER;
import static org.adain.testkit.formats.FormatFixtures.FLOAT64_DECODER;
import static org.adain.testkit.formats.FormatFixtures.LEGACY_DECODER;
import static org.adain.testkit.formats.FormatFixtures.LEGACY_ENCODER;
import static org.adain.testkit.formats.FormatFixtures.T7_DECODER;
import static org.adain.testkit.formats.FormatFixtures.T7_ENCODER;
import static org.adain.testkit.formats.FormatFixtures.T7_ENCODER_2D;
import static org.adain.testkit.formats.FormatFixtures.ZIP_DECODER;
import static org.adain.testkit.formats.FormatFixtures.ZIP_ENCODER;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every container and variant of the fixtures reads to the same weights: the PyTorch zip and legacy containers
 * and both Torch7 files hold the float32 values bit for bit; float16 holds each float32 value rounded to the
 * nearest half (ties to even, as torch's {@code .half()} does); float64 holds the float32 values widened, which
 * convert back exactly.
 *
 * <p>Why the fixtures stand for the real files: the {@code .pth} ones are written by {@code torch.save} itself
 * (Debian's python3-torch 1.13) from {@code nn.Sequential} models built module by module like the port's
 * {@code net.py}, so containers, pickles and keys are exactly what the released {@code vgg_normalised.pth} /
 * {@code decoder.pth} have, only with fewer channels. The {@code .t7} ones are written by a writer that follows
 * torch7's {@code File.lua} ({@code writeObject}: type tags, reference ids, "V 1" version and class-name strings)
 * and {@code generic/Tensor.c} / {@code Storage.c} ({@code write}) field by field, with the module fields torch7's
 * nn sets; the VGG carries loadcaffe's module names and separate storages, the decoder's parameters are views into
 * one flat storage as {@code getParameters()} leaves them in the authors' {@code decoder.t7}; a second VGG stores
 * its 3×3 kernels 2-D {@code [out, in·kh·kw]} as older nn did. See {@code oracle/make_torch_fixtures.py}.
 */
class FormatReadersTest {
    private final PyTorchWeightsReader pth = new PyTorchWeightsReader();
    private final Torch7WeightsReader t7 = new Torch7WeightsReader();

    @TempDir
    Path dir;

    private Path file(String name) {
        return FormatFixtures.copyTo(name, dir);
    }

    private EncoderWeights encoder(String name) {
        return (name.endsWith(".t7") ? t7 : pth).readEncoder(file(name));
    }

    private DecoderWeights decoder(String name) {
        return (name.endsWith(".t7") ? t7 : pth).readDecoder(file(name));
    }

    private static List<ConvLayer> all(EncoderWeights e) {
        List<ConvLayer> l = new ArrayList<>();
        l.add(e.preprocess());
        l.addAll(e.convs());
        return l;
    }

    private static void assertSameWeights(List<ConvLayer> actual, List<ConvLayer> expected, String what) {
        assertThat(actual).as(what + " layer count").hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            ConvLayer a = actual.get(i);
            ConvLayer e = expected.get(i);
            assertThat(a.shapeString()).as(what + " layer " + i + " shape").isEqualTo(e.shapeString());
            assertThat(a.kernelOihw()).as(what + " layer " + i + " kernel").isEqualTo(e.kernelOihw());
            assertThat(a.bias()).as(what + " layer " + i + " bias").isEqualTo(e.bias());
        }
    }

    @Test
    void zipEncoderHasTheTestkitModelsShape() {
        EncoderWeights e = encoder(ZIP_ENCODER);
        assertThat(e.kind()).isEqualTo(EncoderKind.NORMALISED_VGG19);
        assertThat(e.preprocess().shapeString()).isEqualTo("[3, 3, 1, 1]");
        assertThat(e.tapChannels()).containsExactly(8, 12, 16, 24);
        assertThat(e.source()).isEqualTo("vgg_normalised.pth");
        assertThat(e.convs().get(0).name()).isEqualTo("module 2");
    }

    @Test
    void zipDecoderHasTheTestkitModelsShape() {
        DecoderWeights d = decoder(ZIP_DECODER);
        assertThat(d.inputChannels()).isEqualTo(24);
        assertThat(d.convs().get(8).shapeString()).isEqualTo("[3, 8, 3, 3]");
        assertThat(d.convs().get(8).name()).isEqualTo("module 28");
    }

    @ParameterizedTest
    @ValueSource(strings = {LEGACY_ENCODER, T7_ENCODER, T7_ENCODER_2D})
    void everyEncoderContainerHoldsTheSameFloat32Values(String name) {
        assertSameWeights(all(encoder(name)), all(encoder(ZIP_ENCODER)), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {LEGACY_DECODER, T7_DECODER, FLOAT64_DECODER})
    void everyDecoderContainerHoldsTheSameFloat32Values(String name) {
        assertSameWeights(decoder(name).convs(), decoder(ZIP_DECODER).convs(), name);
    }

    /** Round to the nearest float16 value, ties to even, for the small magnitudes of weights (no overflow). */
    static float toHalf(float v) {
        if (v == 0 || !Float.isFinite(v)) {
            return v;
        }
        int e = Math.getExponent(v);
        double ulp = e < -14 ? 0x1p-24 : Math.scalb(1.0, e - 10);
        return (float) (Math.rint(v / ulp) * ulp);
    }

    private static List<ConvLayer> halved(List<ConvLayer> layers) {
        List<ConvLayer> out = new ArrayList<>();
        for (ConvLayer c : layers) {
            float[] k = c.kernelOihw();
            float[] b = c.bias();
            for (int i = 0; i < k.length; i++) {
                k[i] = toHalf(k[i]);
            }
            for (int i = 0; i < b.length; i++) {
                b[i] = toHalf(b[i]);
            }
            out.add(new ConvLayer(c.name(), c.outChannels(), c.inChannels(), c.kernelHeight(), c.kernelWidth(), k, b));
        }
        return out;
    }

    @Test
    void float16HoldsTheFloat32ValuesRoundedToHalf() {
        assertSameWeights(all(encoder(FLOAT16_ENCODER)), halved(all(encoder(ZIP_ENCODER))), "float16 encoder");
        assertSameWeights(decoder(FLOAT16_DECODER).convs(), halved(decoder(ZIP_DECODER).convs()), "float16 decoder");
        // and they do differ from float32: the variant is not a copy
        assertThat(encoder(FLOAT16_ENCODER).convs().get(0).kernelOihw())
                .isNotEqualTo(encoder(ZIP_ENCODER).convs().get(0).kernelOihw());
    }

    @Test
    void theHalfRoundingHelperIsRight() {
        assertThat(toHalf(1.0f)).isEqualTo(1.0f);
        assertThat(toHalf(1 + 0x1p-11f)).isEqualTo(1.0f); // tie → even
        assertThat(toHalf(1 + 3 * 0x1p-11f)).isEqualTo(1 + 0x1p-9f); // tie → even (up)
        assertThat(toHalf(0x1p-25f * 3)).isEqualTo(0x1p-23f); // subnormal: 1.5 ulp → 2 ulp
        assertThat(toHalf(-0.1f)).isEqualTo(-0.0999755859375f);
    }

    /** The readers are found through ServiceLoader and chosen by content, whatever the file is called. */
    @ParameterizedTest
    @ValueSource(strings = {ZIP_ENCODER, LEGACY_DECODER, FLOAT16_DECODER, FLOAT64_DECODER, T7_ENCODER, T7_DECODER,
        FormatFixtures.EVIL_ZIP, FormatFixtures.EVIL_LEGACY})
    void formatIsDetectedByContentNotName(String name) throws Exception {
        byte[] bytes = FormatFixtures.bytes(name);
        Path misnamed = Files.write(dir.resolve("weights.bin"), bytes);
        byte[] head = Arrays.copyOf(bytes, Math.min(512, bytes.length));
        List<String> claimed = new ArrayList<>();
        for (WeightsReader r : ServiceLoader.load(WeightsReader.class)) {
            if (r.canRead(misnamed, head)) {
                claimed.add(r.getClass().getSimpleName());
            }
        }
        assertThat(claimed).containsExactly(name.endsWith(".t7") ? "Torch7WeightsReader" : "PyTorchWeightsReader");
    }

    @Test
    void readersClaimNoOtherFormats() throws Exception {
        byte[] hdf5 = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        byte[] npz = Arrays.copyOf(new byte[] {'P', 'K', 3, 4}, 64);
        for (byte[] head : List.of(hdf5, png, npz)) {
            Path f = Files.write(dir.resolve("x.bin"), head);
            assertThat(pth.canRead(f, head)).isFalse();
            assertThat(t7.canRead(f, head)).isFalse();
        }
        assertThat(pth.formatName()).contains(".pth");
        assertThat(t7.formatName()).contains(".t7");
    }
}
