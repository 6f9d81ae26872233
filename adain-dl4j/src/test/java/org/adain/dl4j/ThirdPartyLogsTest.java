package org.adain.dl4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.format.WeightFormats;
import org.adain.spi.DecoderWeights;
import org.adain.testkit.reference.ReferenceCases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a consumer with an SLF4J binding at INFO sees from DL4J/ND4J while this backend works: no WARN line of our
 * making. A fresh JVM (DL4J's warnings are logged once per JVM) with slf4j-simple at INFO imports every Keras
 * fixture, stylises, and writes and reads a SameDiff decoder.
 *
 * <p>The one warning left is ND4J's: initialising its op registry, which any SameDiff FlatBuffers save or load
 * needs, logs two {@code ImportClassMapping - Duplicate TF op mapping} lines (two op classes in nd4j-api 1.0.0-M2.1
 * claim the TensorFlow names Pow and FloorMod). Nothing a caller does avoids it; the README says so.
 */
class ThirdPartyLogsTest {
    private static final String FB_MARK = "== SameDiff";
    private static final String KNOWN_ND4J_WARNING = "WARN org.nd4j.imports.converters.ImportClassMapping - "
            + "Duplicate TF op mapping found for op ";

    @TempDir
    Path dir;

    @Test
    void importingAndStylisingLogNoWarningAndSameDiffOnlyNd4jsOwn() throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.logFile=System.out",
                Work.class.getName(), dir.toString()));
        Path log = dir.resolve("log.txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM hung; its output:\n" + Files.readString(log));
        }
        String output = Files.readString(log);
        assertThat(p.exitValue()).as(output).isZero();
        // The binding really logs at INFO, else the absence of warnings would prove nothing.
        assertThat(output).as(output).contains("INFO org.nd4j.linalg.factory.Nd4jBackend - Loaded [CpuBackend]");

        int fb = output.indexOf(FB_MARK);
        assertThat(fb).as(output).isPositive();
        List<String> before = output.substring(0, fb).lines().filter(l -> l.contains("WARN")).toList();
        List<String> after = output.substring(fb).lines().filter(l -> l.contains("WARN")).toList();
        assertThat(before).as(output).isEmpty();
        assertThat(after).as(output).allMatch(l -> l.contains(KNOWN_ND4J_WARNING)).hasSizeLessThanOrEqualTo(2);
    }

    /** The child JVM: imports, stylises, then marks the SameDiff part. */
    public static final class Work {
        private Work() {
        }

        /**
         * Runs the work in {@code args[0]}.
         *
         * @param args the working directory
         */
        public static void main(String[] args) {
            Path dir = Path.of(args[0]);
            ClassLoader loader = Work.class.getClassLoader();
            for (String name : List.of("encoder_tf2", "encoder_keras23", "vgg19_notop", "vgg19_notop_keras2")) {
                WeightFormats.readEncoder(ReferenceCases.copyTo("models/" + name + ".h5", dir), loader);
            }
            for (String name : List.of("decoder_tf2", "decoder_keras23")) {
                WeightFormats.readDecoder(ReferenceCases.copyTo("models/" + name + ".h5", dir), loader);
            }
            Path encoder = dir.resolve("encoder_tf2.h5");
            Path decoder = dir.resolve("decoder_tf2.h5");
            try (StyleTransfer st = StyleTransfer.builder().encoder(encoder).decoder(decoder).build()) {
                ImageTensor content = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/content_48x64.png", dir)));
                ImageTensor style = ImageTensor.fromImage(Images.read(ReferenceCases.copyTo("images/style_0.png", dir)));
                st.stylizeTensor(StyleRequest.builder().content(content).style(style).contentSize(0).styleSize(0)
                        .build());
            }
            System.out.println(FB_MARK);
            DecoderWeights weights = WeightFormats.readDecoder(decoder, loader);
            Path fb = dir.resolve("decoder.fb");
            WeightFormats.writerFor(fb, loader).writeDecoder(weights, fb);
            WeightFormats.readDecoder(fb, loader);
        }
    }
}
