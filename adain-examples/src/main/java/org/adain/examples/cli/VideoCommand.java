package org.adain.examples.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.adain.Images;
import org.adain.SpatialMask;
import org.adain.StyleTransfer;
import org.adain.video.Stabilization;
import org.adain.video.VideoReport;
import org.adain.video.VideoStylizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code adain video}: stylises a video or a frame directory with {@link VideoStylizer}, the styles encoded once,
 * optionally stabilised. Shares the model and transfer options with {@code stylize} ({@link ModelOptions},
 * {@link StyleOptions}).
 */
@Command(name = "video", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        // the full synopsis would wrap inside "[--stabilize[=METHOD]]"
        abbreviateSynopsis = true,
        sortOptions = false,
        description = {"Stylize a video, or a directory of frames, with the style(s) encoded once.", "",
                "Decoding, stylizing and encoding run on separate threads; the audio is copied unchanged and the",
                "frame rate and frame count are kept."},
        footer = {"",
                "Inputs and outputs:",
                "  IN is a video FFmpeg reads, or a directory of PNG/JPEG frames (name",
                "  order, one size; --fps sets their rate). OUT ending in .mp4, .m4v, .mov,",
                "  .mkv or .avi is a video: H.264 (libopenh264) where the bundled FFmpeg has",
                "  it, else MPEG-4 Part 2 (the run says which). Any other OUT is a new",
                "  directory of PNG frames. Output is written beside OUT and renamed at the",
                "  end: a failed run leaves nothing that looks valid.",
                "",
                "Stabilization (--stabilize [METHOD], default method blend):",
                "  blend       blend each pixel with the previous output where the input",
                "              did not change there (static areas steady, edges not",
                "              smeared)",
                "  statistics  smooth the content's feature mean/std over time",
                "  Both reset at scene cuts. See docs/VIDEO.md for measurements.",
                "",
                "Examples:",
                "  adain video --input clip.mp4 --style starry.jpg --output out.mp4",
                "  adain video --input frames/ --fps 24 --style a.jpg --style b.jpg \\",
                "      --style-weights 1,3 --stabilize --output styled.mp4"})
final class VideoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "IN",
            description = "Input video, or a directory of PNG/JPEG frames.")
    Path input;

    @Option(names = "--style", required = true, arity = "1..*", paramLabel = "IMAGE",
            description = "Style image(s). Several styles are interpolated; with --mask give exactly two.")
    List<Path> styles;

    @Mixin
    StyleOptions opts;

    @Option(names = "--stabilize", arity = "0..1", paramLabel = "METHOD", fallbackValue = "blend",
            converter = MethodConverter.class, defaultValue = "off",
            description = "Reduce flicker: blend (the default method) or statistics; off by default.")
    Stabilization stabilize;

    @Option(names = "--stabilize-memory", paramLabel = "M", defaultValue = "0.8",
            description = "Weight of the past in [0, 1) for --stabilize. Default: ${DEFAULT-VALUE}.")
    double memory;

    @Option(names = "--fps", paramLabel = "RATE", defaultValue = "25",
            description = "Frame rate of a frame-directory input. Default: ${DEFAULT-VALUE}.")
    double fps;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "Output video (.mp4, .m4v, .mov, .mkv, .avi) or frame directory.")
    Path output;

    @Option(names = "--force", description = "Replace an existing output video file.")
    boolean force;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Progress progress = new Progress(err, !quiet);
        try {
            opts.checkValues(spec.commandLine());
            model.check(spec.commandLine());
            opts.checkStyles(spec.commandLine(), styles.size());
            if (!(memory >= 0 && memory < 1)) {
                throw usage("--stabilize-memory must be in [0, 1), got " + memory);
            }
            if (!(fps > 0 && fps <= 1000)) {
                throw usage("--fps must be in (0, 1000], got " + fps);
            }
            if (opts.mask != null && stabilize == Stabilization.STATISTICS) {
                throw usage("--mask cannot be combined with --stabilize statistics: each mask region has its own "
                        + "statistics; use --stabilize blend");
            }
            if (!Files.exists(input)) {
                throw new InputException("Input " + input + " does not exist");
            }
            model.usePretrainedUnlessGiven(spec.commandLine());
            List<BufferedImage> styleImages = new ArrayList<>();
            for (Path s : styles) {
                styleImages.add(Images.read(s));
            }
            SpatialMask mask = opts.mask == null ? null : StylizeCommand.withContext("mask " + opts.mask,
                    () -> SpatialMask.fromImage(Images.read(opts.mask)));
            progress.begin("loading model");
            try (StyleTransfer transfer = model.load(spec.commandLine())) {
                progress.done(transfer.backendName());
                VideoStylizer.Builder b = VideoStylizer.builder().transfer(transfer).alpha(opts.alpha)
                        .preserveColor(opts.preserveColor).mask(mask).contentSize(opts.contentSize)
                        .styleSize(opts.styleSize).stabilization(stabilize).stabilizationMemory(memory)
                        .frameRate(fps).overwrite(force);
                for (int k = 0; k < styleImages.size(); k++) {
                    if (opts.styleWeights != null) {
                        b.style(styleImages.get(k), opts.styleWeights.get(k));
                    } else {
                        b.style(styleImages.get(k));
                    }
                }
                if (!quiet) {
                    b.progress((done, total, rate, eta) -> {
                        err.print(String.format(Locale.ROOT, "\rframe %d%s  %.2f frames/s%s   ", done,
                                total > 0 ? "/" + total : "", rate,
                                Double.isNaN(eta) ? "" : String.format(Locale.ROOT, "  ETA %s", time(eta))));
                        err.flush();
                    });
                }
                progress.begin("encoding style(s)");
                VideoReport r;
                try (VideoStylizer video = StylizeCommand.withContext("style", b::build)) {
                    progress.done();
                    if (!quiet && VideoStylizer.isVideoFile(output)) {
                        err.println("video codec: " + VideoStylizer.videoCodec());
                    }
                    r = video.stylize(input, output);
                }
                if (!quiet) {
                    err.println();
                    err.println(String.format(Locale.ROOT, "%d frames %dx%d at %.3f fps in %.1f s (%.2f frames/s; "
                            + "decode %.1f s, stylize %.1f s, encode %.1f s)%s; %s", r.frames(), r.width(),
                            r.height(), r.frameRate(), r.seconds(), r.frames() / r.seconds(), r.decodeSeconds(),
                            r.stylizeSeconds(), r.encodeSeconds(),
                            r.sceneCuts() > 0 ? ", " + r.sceneCuts() + " scene cut(s)" : "", r.output()));
                    err.flush();
                }
                out.println(output);
                out.flush();
            }
            return AdainCli.EXIT_OK;
        } finally {
            progress.failed();
        }
    }

    private static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /** "off", "statistics" or "blend". */
    static final class MethodConverter implements ITypeConverter<Stabilization> {
        @Override
        public Stabilization convert(String value) {
            try {
                return Stabilization.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
