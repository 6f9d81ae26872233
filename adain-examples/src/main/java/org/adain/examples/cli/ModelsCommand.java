package org.adain.examples.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.adain.InvalidRequestException;
import org.adain.ModelException;
import org.adain.ModelStore;
import org.adain.ModelStore.Entry;
import org.adain.ModelStore.ModelFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code adain models fetch | list}: the published pretrained models in the local cache ({@link ModelStore}), so that
 * {@code adain stylize} runs without {@code --encoder}/{@code --decoder}.
 */
@Command(name = "models", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {"Download and list the published pretrained models.", "",
                "'adain models fetch' downloads the authors' vgg_normalised.t7 and decoder.t7 (or, with --pytorch, "
                        + "the PyTorch port's .pth files), checks each with the strict reader and pins its SHA-256 in "
                        + "models.lock. 'adain stylize' without --encoder/--decoder then uses them."},
        subcommands = {ModelsCommand.Fetch.class, ModelsCommand.ListModels.class},
        // Footer lines are printed as they are: at most 80 characters each (UsageTest checks).
        footer = {"", "Directory: --dir, else the system property " + ModelStore.DIRECTORY_PROPERTY + ",",
                "else $" + ModelStore.DIRECTORY_ENV + ", else $XDG_CACHE_HOME/adain/models,",
                "else ~/.cache/adain/models."})
final class ModelsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing command: use 'models fetch' or 'models list'");
    }

    /** The store of {@code --dir}, or the default one. */
    static ModelStore.Builder store(Path dir) {
        ModelStore.Builder b = ModelStore.builder();
        if (dir != null) {
            b.directory(dir);
        }
        return b;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }

    /** {@code adain models fetch}. */
    @Command(name = "fetch", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
            sortOptions = false,
            description = {"Download the pretrained models into the cache, verify and pin them.", "",
                    "Resumes an interrupted download, checks every file with the strict Torch7/PyTorch reader before "
                            + "moving it into place, and records its SHA-256 in models.lock on first download; a later "
                            + "download with another hash is refused. Files already there and verified are not "
                            + "downloaded again; files put there by hand are verified and pinned."},
            footer = {"",
                    "Progress goes to stderr; the path of each verified file to stdout.",
                    "",
                    "Sources (the authors' models/download_models.sh; the PyTorch port's release):",
                    "  https://s3.amazonaws.com/xunhuang-public/adain/vgg_normalised.t7",
                    "  https://s3.amazonaws.com/xunhuang-public/adain/decoder.t7",
                    "  https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/",
                    "    vgg_normalised.pth and decoder.pth (--pytorch)",
                    "",
                    "Example:",
                    "  adain models fetch",
                    "  adain stylize --content photo.jpg --style art.jpg -o out.png"})
    static final class Fetch implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Models directory. Default: see 'adain models --help'.")
        Path dir;

        @Option(names = "--pytorch",
                description = "Fetch the PyTorch port's vgg_normalised.pth and decoder.pth instead of the authors' "
                        + ".t7 files (the same weights).")
        boolean pytorch;

        @Option(names = "--base-url", paramLabel = "URL",
                description = "A mirror: fetch every file from URL/<file name> instead. The pins in models.lock "
                        + "still apply.")
        String baseUrl;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "" + ModelStore.DEFAULT_TIMEOUT_SECONDS,
                description = "Network timeout: to connect, for the answer, and between two pieces of data. "
                        + "Default: ${DEFAULT-VALUE}.")
        double timeoutSeconds;

        @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
        boolean quiet;

        @Mixin
        DebugOption debug;

        @Override
        public Integer call() {
            ModelStore store = build();
            ModelStore.Source source = pytorch ? ModelStore.Source.PYTORCH : ModelStore.Source.TORCH7;
            FetchProgress progress = new FetchProgress(spec.commandLine().getErr(), !quiet);
            List<Entry> entries;
            try {
                entries = store.fetch(source, progress);
            } finally {
                progress.endLine();
            }
            PrintWriter out = spec.commandLine().getOut();
            entries.forEach(e -> out.println(e.path()));
            out.flush();
            return AdainCli.EXIT_OK;
        }

        private ModelStore build() {
            if (!(timeoutSeconds > 0) || timeoutSeconds > 24 * 3600) {
                throw usage("--timeout must be a number of seconds in (0, 86400], got " + timeoutSeconds);
            }
            long millis = Math.max(1, Math.round(timeoutSeconds * 1000));
            ModelStore.Builder b = store(dir).timeout(Duration.ofMillis(millis));
            if (baseUrl != null) {
                try {
                    b.baseUrl(new URI(baseUrl));
                } catch (URISyntaxException e) {
                    throw usage("--base-url '" + baseUrl + "' is not a URL: " + e.getMessage());
                } catch (InvalidRequestException e) {
                    throw usage("--base-url: " + e.getMessage());
                }
            }
            return b.build();
        }

        private ParameterException usage(String message) {
            return new ParameterException(spec.commandLine(), message);
        }
    }

    /**
     * Progress on stderr: one line per file, redrawn with a carriage return at most every 200 ms while it downloads,
     * e.g. {@code decoder.t7  42%  5.9 of 14.0 MiB}, then
     * {@code decoder.t7  verifying ... 14.0 MiB in 2.1 s, ok, SHA-256 0123456789ab… pinned}.
     */
    static final class FetchProgress implements ModelStore.Listener {
        private final PrintWriter err;
        private final boolean enabled;
        private boolean lineOpen;
        private long lastDraw;
        private long start;
    
        FetchProgress(PrintWriter err, boolean enabled) {
            this.err = err;
            this.enabled = enabled;
        }

        @Override
        public void started(ModelFile file, URI url, long resumeAt) {
            start = System.nanoTime();
            endLine();
            print(file.fileName() + "  " + url + (resumeAt > 0 ? "  (resuming at " + mib(resumeAt) + ")" : "")
                    + "\n");
        }

        @Override
        public void progress(ModelFile file, long bytes, long total) {
            long now = System.nanoTime();
            if (now - lastDraw < 200_000_000L && bytes != total) {
                return;
            }
            lastDraw = now;
            String amount = total > 0 ? (100 * bytes / total) + "%  " + mib(bytes).replace(" MiB", "") + " of "
                    + mib(total) : mib(bytes);
            print("\r" + file.fileName() + "  " + amount + "   ");
            lineOpen = enabled;
        }

        @Override
        public void verifying(ModelFile file) {
            endLine();
            print(file.fileName() + "  verifying ... ");
            lineOpen = enabled;
        }

        @Override
        public void finished(Entry entry, boolean downloaded) {
            String sha = "SHA-256 " + entry.sha256().substring(0, 12) + "…";
            if (!lineOpen) {
                print(entry.file().fileName() + "  already verified (" + sha + ")\n");
                return;
            }
            String took = downloaded ? String.format(Locale.ROOT, "%s in %.1f s, ", mib(entry.size()),
                    (System.nanoTime() - start) / 1e9) : "";
            print(took + "ok, " + sha + " pinned\n");
            lineOpen = false;
        }

        /** Ends a redrawn line, so that what follows (an error) starts on its own. */
        void endLine() {
            if (lineOpen) {
                print("\n");
                lineOpen = false;
            }
        }

        private void print(String s) {
            if (enabled) {
                err.print(s);
                err.flush();
            }
        }
    }

    /** {@code adain models list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = AdainCli.Version.class,
            description = {"List the model files in the cache and whether each is verified.", "",
                    "verified: pinned in models.lock with the hash it has now; unverified: there but not pinned "
                            + "(run 'adain models fetch' to check and pin it); changed: differs from its pin; "
                            + "missing: not there."})
    static final class ListModels implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Models directory. Default: see 'adain models --help'.")
        Path dir;

        @Mixin
        DebugOption debug;

        @Override
        public Integer call() {
            ModelStore store = store(dir).build();
            PrintWriter out = spec.commandLine().getOut();
            out.println("models in " + store.directory());
            for (Entry e : store.list()) {
                String line = String.format(Locale.ROOT, "  %-19s %-11s", e.file().fileName(),
                        e.state().name().toLowerCase(Locale.ROOT));
                if (e.sha256() != null) {
                    line += String.format(Locale.ROOT, " %10s  sha256 %s", mib(e.size()), e.sha256());
                }
                out.println(line.stripTrailing());
            }
            try {
                ModelStore.Pretrained p = store.pretrained();
                out.println("stylize without --encoder/--decoder uses " + p.source().description() + " ("
                        + p.encoder().getFileName() + ", " + p.decoder().getFileName() + ")");
            } catch (ModelException e) {
                out.println("stylize without --encoder/--decoder: " + e.getMessage());
            }
            out.flush();
            return AdainCli.EXIT_OK;
        }
    }
}
