package org.adain.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure-Java Keras writer: what it writes reads back bit-identically with {@link KerasWeightsReader}, and, read
 * by h5py (libhdf5, an independent reader) when {@code /usr/bin/python3} has it, holds exactly the layout and
 * values Keras expects. adain-dl4j's KerasReadersParityTest checks that its native reader reads it too.
 */
class KerasWeightsWriterTest {
    private final KerasWeightsWriter writer = new KerasWeightsWriter();
    private final KerasWeightsReader reader = new KerasWeightsReader();

    @TempDir
    Path dir;

    static ConvLayer conv(Random r, String name, int out, int in, int k) {
        float[] kernel = new float[out * in * k * k];
        float[] bias = new float[out];
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) r.nextGaussian();
        }
        return new ConvLayer(name, out, in, k, k, kernel, bias);
    }

    static EncoderWeights encoder(EncoderKind kind, long seed) {
        Random r = new Random(seed);
        int[] outs = {4, 4, 6, 6, 8, 8, 8, 8, 10};
        List<ConvLayer> convs = new ArrayList<>();
        int in = 3;
        for (int i = 0; i < outs.length; i++) {
            convs.add(conv(r, KerasWeightsReader.APPLICATIONS_LAYERS.get(i), outs[i], in, 3));
            in = outs[i];
        }
        ConvLayer pre = kind == EncoderKind.NORMALISED_VGG19 ? conv(r, "preprocess_conv", 3, 3, 1) : null;
        return new EncoderWeights(kind, pre, convs, "test");
    }

    static DecoderWeights decoder(long seed) {
        Random r = new Random(seed);
        int[] outs = {8, 8, 8, 8, 6, 6, 4, 4, 3};
        List<ConvLayer> convs = new ArrayList<>();
        int in = 10;
        for (int i = 0; i < outs.length; i++) {
            convs.add(conv(r, i == 0 ? "conv2d" : "conv2d_" + i, outs[i], in, 3));
            in = outs[i];
        }
        return new DecoderWeights(convs, "test");
    }

    private static void assertSame(List<ConvLayer> got, List<ConvLayer> want) {
        assertThat(got).hasSameSizeAs(want);
        for (int i = 0; i < want.size(); i++) {
            assertThat(got.get(i).shapeString()).isEqualTo(want.get(i).shapeString());
            assertThat(got.get(i).kernelOihw()).containsExactly(want.get(i).kernelOihw());
            assertThat(got.get(i).bias()).containsExactly(want.get(i).bias());
        }
    }

    @Test
    void everyKindReadsBackBitIdentically() {
        EncoderWeights normalised = encoder(EncoderKind.NORMALISED_VGG19, 1);
        Path e = dir.resolve("encoder.h5");
        writer.writeEncoder(normalised, e);
        EncoderWeights e2 = reader.readEncoder(e);
        assertThat(e2.kind()).isEqualTo(EncoderKind.NORMALISED_VGG19);
        assertSame(List.of(e2.preprocess()), List.of(normalised.preprocess()));
        assertSame(e2.convs(), normalised.convs());
        assertThat(e2.convs()).extracting(ConvLayer::name).containsExactlyElementsOf(
                KerasWeightsReader.APPLICATIONS_LAYERS);

        EncoderWeights notop = encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, 2);
        Path n = dir.resolve("notop.h5");
        writer.writeEncoder(notop, n);
        EncoderWeights n2 = reader.readEncoder(n);
        assertThat(n2.kind()).isEqualTo(EncoderKind.KERAS_APPLICATIONS_VGG19);
        assertSame(n2.convs(), notop.convs());

        DecoderWeights dec = decoder(3);
        Path d = dir.resolve("decoder.h5");
        writer.writeDecoder(dec, d);
        assertSame(reader.readDecoder(d).convs(), dec.convs());
        assertThat(writer.canWrite(d)).isTrue();
        assertThat(writer.canWrite(dir.resolve("x.HDF5"))).isTrue();
        assertThat(writer.canWrite(dir.resolve("x.pth"))).isFalse();
    }

    @Test
    void writesTheSameBytesForTheSameWeights() throws IOException {
        Path a = dir.resolve("a.h5");
        Path b = dir.resolve("b.h5");
        writer.writeDecoder(decoder(4), a);
        writer.writeDecoder(decoder(4), b);
        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
    }

    /** What h5py sees: attributes as text, every dataset's shape and values, as JSON. */
    private static final String DUMP = String.join("\n",
            "import h5py, json, sys",
            "out = {'attrs': {}, 'data': {}}",
            "def text(v):",
            "    if hasattr(v, 'tolist'): v = v.tolist()",
            "    if isinstance(v, list): return [text(x) for x in v]",
            "    return v.decode('utf-8') if isinstance(v, bytes) else v",
            "with h5py.File(sys.argv[1], 'r') as f:",
            "    def visit(name, obj):",
            "        for k, v in obj.attrs.items(): out['attrs'][name + '@' + k] = text(v)",
            "        if isinstance(obj, h5py.Dataset):",
            "            out['data'][name] = {'shape': list(obj.shape), 'dtype': str(obj.dtype),",
            "                                 'values': [float(x) for x in obj[()].ravel()]}",
            "    for k, v in f.attrs.items(): out['attrs']['@' + k] = text(v)",
            "    f.visititems(visit)",
            "print(json.dumps(out))");

    private static Map<?, ?> h5py(Path file, Path dir) throws IOException, InterruptedException {
        Path python = Path.of("/usr/bin/python3");
        assumeTrue(Files.isExecutable(python), "needs /usr/bin/python3 with h5py (apt-get install python3-h5py)");
        Path script = Files.writeString(dir.resolve("dump.py"), DUMP);
        Process p = new ProcessBuilder(python.toString(), script.toString(), file.toString()).redirectErrorStream(true)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assumeTrue(!text.contains("No module named 'h5py'"), "needs h5py (apt-get install python3-h5py)");
        assertThat(p.exitValue()).as(text).isZero();
        return (Map<?, ?>) Json.parse(text.strip(), "h5py's dump");
    }

    @Test
    @SuppressWarnings("unchecked")
    void h5pyReadsTheLayoutAndValuesKerasExpects() throws Exception {
        EncoderWeights w = encoder(EncoderKind.NORMALISED_VGG19, 5);
        Path f = dir.resolve("encoder.h5");
        writer.writeEncoder(w, f);
        Map<?, ?> dump = h5py(f, dir);
        Map<?, ?> attrs = (Map<?, ?>) dump.get("attrs");
        assertThat(attrs.get("@backend")).isEqualTo("tensorflow");
        assertThat(attrs.get("@keras_version")).isEqualTo("2.12.0");
        Map<?, ?> config = (Map<?, ?>) Json.parse((String) attrs.get("@model_config"), "model_config");
        assertThat(config.get("class_name")).isEqualTo("Functional");
        List<Object> layerNames = (List<Object>) attrs.get("model_weights@layer_names");
        assertThat(layerNames).hasSize(23).startsWith("input_1", "preprocess_conv", "reflection_padding2d");
        assertThat((List<Object>) attrs.get("model_weights/block1_pool@weight_names")).isEmpty();
        assertThat((List<Object>) attrs.get("model_weights/block2_conv1@weight_names"))
                .containsExactly("block2_conv1/kernel:0", "block2_conv1/bias:0");
        Map<?, ?> data = (Map<?, ?>) dump.get("data");
        assertThat(data).hasSize(20);
        ConvLayer c = w.convs().get(2);
        Map<?, ?> kernel = (Map<?, ?>) data.get("model_weights/block2_conv1/block2_conv1/kernel:0");
        assertThat(kernel.get("dtype")).isEqualTo("float32");
        assertThat((List<Object>) kernel.get("shape")).containsExactly(3L, 3L, 4L, 6L);
        float[] hwio = KerasWeightsWriter.oihwToHwio(c);
        List<?> values = (List<?>) kernel.get("values");
        assertThat(values).hasSize(hwio.length);
        for (int i = 0; i < hwio.length; i++) {
            assertThat((float) ((Number) values.get(i)).doubleValue()).as("value %d", i).isEqualTo(hwio[i]);
        }
        // the kernel layout is HWIO: element (y, x, i, o) = OIHW (o, i, y, x)
        assertThat((float) ((Number) values.get(((2 * 3 + 1) * 4 + 3) * 6 + 5)).doubleValue())
                .isEqualTo(c.kernelOihw()[((5 * 4 + 3) * 3 + 2) * 3 + 1]);
        List<?> bias = (List<?>) ((Map<?, ?>) data.get("model_weights/block2_conv1/block2_conv1/bias:0"))
                .get("values");
        for (int i = 0; i < c.outChannels(); i++) {
            assertThat((float) ((Number) bias.get(i)).doubleValue()).isEqualTo(c.bias()[i]);
        }

        Path n = dir.resolve("notop.h5");
        writer.writeEncoder(encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, 6), n);
        Map<?, ?> notop = h5py(n, dir);
        assertThat((List<Object>) ((Map<?, ?>) notop.get("attrs")).get("@layer_names")).hasSize(13)
                .startsWith("input_1", "block1_conv1", "block1_conv2", "block1_pool");
        assertThat((Map<?, ?>) notop.get("data")).hasSize(18);
    }
}
