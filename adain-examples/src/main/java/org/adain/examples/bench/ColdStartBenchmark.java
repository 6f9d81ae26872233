package org.adain.examples.bench;

import java.awt.image.BufferedImage;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.adain.AdainException;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.StyleFeatures;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.format.WeightFormats;
import org.adain.spi.BackendProvider;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;

/**
 * Cold-start benchmark ({@code bench/cold_start.sh}): where the time of a fresh process that stylises one image
 * goes. It does what {@code adain stylize --content-size N --style-size N --crop} does, in the same order, as
 * separate timed phases of one JVM: the JVM's start up to {@code main}, backend discovery (class loading of the
 * providers), the backend's native library (ND4J's backend or the ONNX Runtime environment), the weight read, the
 * model build, image decoding, the first stylisation (encode the style, stylise the content, write the PNG) and then
 * {@code --repeat} more identical stylisations in the same process: their median is "the stylisation alone", what a
 * warm process pays.
 *
 * <pre>{@code
 * java -cp adain-examples/target/adain.jar org.adain.examples.bench.ColdStartBenchmark --backend dl4j \
 *     --encoder E.h5 --decoder D.h5 --content C.jpg --style S.jpg --size 512 --repeat 3
 * }</pre>
 *
 * <p>Each phase prints a {@code cold.phase} record with its wall and process CPU (user+sys, all threads)
 * milliseconds and the number of classes loaded so far; {@code cold.result} sums them up. The machine may be
 * shared, so the load average is printed before and after: compare CPU times, and wall times only at similar load.
 */
public final class ColdStartBenchmark {
    private static final String USAGE = "usage: ColdStartBenchmark --backend NAME --encoder FILE --decoder FILE "
            + "--content IMG --style IMG [--size N (512)] [--repeat N (3)] [--output DIR (a temporary directory)]";

    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long lastWall = System.nanoTime();
    private long lastCpu = os.getProcessCpuTime();

    private ColdStartBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        // Before anything else: the JVM's own start, up to here.
        long uptimeAtMain = ManagementFactory.getRuntimeMXBean().getUptime();
        ColdStartBenchmark b = new ColdStartBenchmark();
        long cpuAtMain = b.lastCpu;
        String backend = null;
        Path encoder = null;
        Path decoder = null;
        Path contentFile = null;
        Path styleFile = null;
        Path outDir = null;
        int size = 512;
        int repeat = 3;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--backend" -> backend = Args.value(args, ++i, a);
                    case "--encoder" -> encoder = Path.of(Args.value(args, ++i, a));
                    case "--decoder" -> decoder = Path.of(Args.value(args, ++i, a));
                    case "--content" -> contentFile = Path.of(Args.value(args, ++i, a));
                    case "--style" -> styleFile = Path.of(Args.value(args, ++i, a));
                    case "--size" -> size = Args.intValue(args, ++i, a, 64);
                    case "--repeat" -> repeat = Args.intValue(args, ++i, a, 1);
                    case "--output" -> outDir = Path.of(Args.value(args, ++i, a));
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (backend == null || encoder == null || decoder == null || contentFile == null || styleFile == null) {
                throw new IllegalArgumentException("--backend, --encoder, --decoder, --content and --style are "
                        + "required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("ColdStartBenchmark: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        String loadBefore = MemoryProbe.loadAverage();
        System.out.printf(Locale.ROOT, "cold.phase name=jvm_to_main wall_ms=%d cpu_ms=%.0f classes=%d%n",
                uptimeAtMain, cpuAtMain / 1e6, classes());
        try {
            b.run(backend, encoder, decoder, contentFile, styleFile, outDir, size, repeat, uptimeAtMain, loadBefore);
        } catch (AdainException e) {
            System.err.println("ColdStartBenchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    private void run(String backend, Path encoder, Path decoder, Path contentFile, Path styleFile, Path outDir,
            int size, int repeat, long uptimeAtMain, String loadBefore) throws Exception {
        ClassLoader loader = ColdStartBenchmark.class.getClassLoader();
        BackendProvider provider = null;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, loader)) {
            if (p.name().equals(backend)) {
                provider = p;
            }
        }
        if (provider == null) {
            throw new IllegalArgumentException("no backend named " + backend + " on the classpath");
        }
        double[] discovery = phase("backend_discovery");
        // What the first call into the backend pays anyway: loading its native libraries. Reflection, because the
        // examples see the backends at run time only.
        if (backend.startsWith("dl4j")) {
            Class.forName("org.nd4j.linalg.factory.Nd4j").getMethod("getBackend").invoke(null);
        } else if (backend.equals("onnxruntime")) {
            Class.forName("ai.onnxruntime.OrtEnvironment").getMethod("getEnvironment").invoke(null);
        }
        double[] nativeInit = phase("native_init");
        EncoderWeights enc = WeightFormats.readEncoder(encoder, loader);
        DecoderWeights dec = WeightFormats.readDecoder(decoder, loader);
        double[] read = phase("weight_read");
        Path dir = outDir != null ? outDir : Files.createTempDirectory("adain-cold");
        try (StyleTransfer st = StyleTransfer.builder().weights(enc, dec).backend(provider).build()) {
            double[] build = phase("model_build");
            long limit = Images.decodeLimit(StyleTransfer.DEFAULT_MAX_PIXELS);
            ImageTensor content = Images.readResized(contentFile, size, limit);
            ImageTensor style = Images.readResized(styleFile, size, limit);
            double[] decode = phase("image_decode");
            stylize(st, content, style, size, dir.resolve("first.png"));
            double[] first = phase("first_stylization");
            List<double[]> warm = new ArrayList<>();
            for (int k = 0; k < repeat; k++) {
                stylize(st, content, style, size, dir.resolve("warm.png"));
                warm.add(phase("warm_stylization_" + (k + 1)));
            }
            double warmWall = median(warm, 0);
            double warmCpu = median(warm, 1);
            double coldWall = uptimeAtMain + discovery[0] + nativeInit[0] + read[0] + build[0] + decode[0] + first[0];
            double coldCpu = discovery[1] + nativeInit[1] + read[1] + build[1] + decode[1] + first[1];
            System.out.printf(Locale.ROOT, "cold.result backend=%s size=%d cold_wall_ms=%.0f warm_wall_ms=%.0f "
                            + "ratio_wall=%.2f cold_cpu_ms_after_main=%.0f warm_cpu_ms=%.0f classes=%d "
                            + "load_before=%s load_after=%s%n",
                    st.backendName(), size, coldWall, warmWall, coldWall / warmWall, coldCpu, warmCpu, classes(),
                    loadBefore, MemoryProbe.loadAverage());
        }
    }

    /** What {@code adain stylize} does per image: encode the style, stylise the content, write the PNG. */
    private static void stylize(StyleTransfer st, ImageTensor content, ImageTensor style, int size, Path out) {
        try (StyleFeatures f = st.encodeStyle(style, size, true)) {
            BufferedImage result = st.stylize(StyleRequest.builder().content(content).style(f).contentSize(size)
                    .styleSize(size).crop(true).build());
            Images.write(result, out);
        }
    }

    /** Ends a phase: prints and returns its wall and CPU milliseconds, and starts the next. */
    private double[] phase(String name) {
        long wall = System.nanoTime();
        long cpu = os.getProcessCpuTime();
        double[] r = {(wall - lastWall) / 1e6, (cpu - lastCpu) / 1e6};
        System.out.printf(Locale.ROOT, "cold.phase name=%s wall_ms=%.0f cpu_ms=%.0f classes=%d%n", name, r[0], r[1],
                classes());
        lastWall = System.nanoTime();
        lastCpu = os.getProcessCpuTime();
        return r;
    }

    private static int classes() {
        return ManagementFactory.getClassLoadingMXBean().getLoadedClassCount();
    }

    private static double median(List<double[]> runs, int field) {
        double[] v = runs.stream().mapToDouble(r -> r[field]).toArray();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
