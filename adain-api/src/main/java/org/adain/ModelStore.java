package org.adain;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.format.WeightFormats;
import org.adain.spi.WeightsReader;

/**
 * The published pretrained AdaIN models in a local cache: {@link #fetch} downloads them, checks each with the strict
 * reader of its format and pins its SHA-256 in a lock file; {@link #pretrained()} (and
 * {@link StyleTransfer.Builder#pretrained}) finds them again. Nothing is ever downloaded implicitly.
 *
 * <pre>{@code
 * ModelStore store = ModelStore.standard();                        // ~/.cache/adain/models
 * store.fetch(ModelStore.Source.TORCH7, (file, bytes, total) -> {}); // once; a no-op when already verified
 * try (StyleTransfer st = StyleTransfer.builder().pretrained(store).build()) {
 *     BufferedImage out = st.stylize(StyleRequest.builder().content(photo).style(painting).build());
 * }
 * }</pre>
 *
 * <p><b>What is fetched.</b> {@link Source#TORCH7}: {@code vgg_normalised.t7} and {@code decoder.t7}, the authors'
 * files, from the URLs their {@code models/download_models.sh} lists (xunhuang1995/AdaIN-style).
 * {@link Source#PYTORCH}: {@code vgg_normalised.pth} and {@code decoder.pth}, the release assets of the PyTorch port
 * (naoto0804/pytorch-AdaIN, release v0.0.0), conversions of the same weights. {@link Builder#baseUrl} fetches every
 * file from a mirror instead ({@code <base>/<file name>}).
 *
 * <p><b>How.</b> Each file goes to {@code <name>.part} first; an interrupted download resumes with an HTTP
 * {@code Range} request (a server that answers with the whole file restarts it cleanly). A complete file must read
 * with {@link Torch7WeightsReader} or {@link PyTorchWeightsReader} as the encoder or decoder it is meant to be, and
 * match the lock file's hash when it has one; only then is it renamed into place. A file that fails is deleted and
 * the error names its URL. The first verified download of a file records its SHA-256 in {@value #LOCK_FILE}; a
 * later download or cached copy with another hash is refused (delete the file's line in the lock file to accept a
 * change on purpose).
 *
 * <p><b>Where.</b> {@link Builder#directory}, else the system property {@value #DIRECTORY_PROPERTY}, else the
 * environment variable {@value #DIRECTORY_ENV}, else {@code $XDG_CACHE_HOME/adain/models} when
 * {@code XDG_CACHE_HOME} is an absolute path, else {@code ~/.cache/adain/models}.
 *
 * <p>Instances are immutable and thread-safe; concurrent fetches into one directory (from any process) are
 * refused with a clear message rather than interleaved.
 */
public final class ModelStore {
    /** System property naming the models directory; overrides the environment variable and the default. */
    public static final String DIRECTORY_PROPERTY = "adain.models.dir";
    /** Environment variable naming the models directory; overrides the default. */
    public static final String DIRECTORY_ENV = "ADAIN_MODELS_DIR";
    /** The lock file in the models directory, in {@code sha256sum} format. */
    public static final String LOCK_FILE = "models.lock";
    /** {@link #DEFAULT_TIMEOUT} in seconds, as a constant for annotations (e.g. a command-line default). */
    public static final int DEFAULT_TIMEOUT_SECONDS = 30;
    /** Default network timeout: to connect, to the response headers, and between two pieces of data. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);

    private static final String FETCH_LOCK = ".fetch.lck";

    /**
     * A published set of pretrained models: an encoder and the decoder trained for it.
     *
     * <pre>{@code
     * store.fetch(ModelStore.Source.PYTORCH, listener);
     * }</pre>
     */
    public enum Source {
        /** The authors' Torch7 files, as their {@code models/download_models.sh} lists them. */
        TORCH7("the authors' Torch7 models", "https://s3.amazonaws.com/xunhuang-public/adain/"),
        /** The PyTorch port's release assets (naoto0804/pytorch-AdaIN, release v0.0.0). */
        PYTORCH("the PyTorch port's models", "https://github.com/naoto0804/pytorch-AdaIN/releases/download/v0.0.0/");

        private final String description;
        private final URI baseUrl;

        Source(String description, String baseUrl) {
            this.description = description;
            this.baseUrl = URI.create(baseUrl);
        }

        /**
         * A few words for messages, e.g. "the authors' Torch7 models".
         *
         * @return the description
         */
        public String description() {
            return description;
        }

        /**
         * Where the publisher serves the files.
         *
         * @return the published base URL, ending in '/'
         */
        public URI defaultBaseUrl() {
            return baseUrl;
        }

        /**
         * The encoder and the decoder of this set, in that order.
         *
         * @return two files
         */
        public List<ModelFile> files() {
            return this == TORCH7 ? List.of(ModelFile.VGG_T7, ModelFile.DECODER_T7)
                    : List.of(ModelFile.VGG_PTH, ModelFile.DECODER_PTH);
        }
    }

    /**
     * One published model file.
     *
     * <pre>{@code
     * URI url = store.url(ModelStore.ModelFile.DECODER_T7);
     * }</pre>
     */
    public enum ModelFile {
        /** {@code vgg_normalised.t7}: the normalised VGG-19 encoder, Torch7. */
        VGG_T7("vgg_normalised.t7", Source.TORCH7, true),
        /** {@code decoder.t7}: the decoder of the paper, Torch7. */
        DECODER_T7("decoder.t7", Source.TORCH7, false),
        /** {@code vgg_normalised.pth}: the normalised VGG-19 encoder, PyTorch state dict. */
        VGG_PTH("vgg_normalised.pth", Source.PYTORCH, true),
        /** {@code decoder.pth}: the decoder of the paper, PyTorch state dict. */
        DECODER_PTH("decoder.pth", Source.PYTORCH, false);

        private final String fileName;
        private final Source source;
        private final boolean encoder;

        ModelFile(String fileName, Source source, boolean encoder) {
            this.fileName = fileName;
            this.source = source;
            this.encoder = encoder;
        }

        /**
         * The file's name, in the store's directory and at its URL.
         *
         * @return e.g. "decoder.t7"
         */
        public String fileName() {
            return fileName;
        }

        /**
         * The set the file belongs to.
         *
         * @return its source
         */
        public Source source() {
            return source;
        }

        /**
         * Whether the file is the encoder (else the decoder).
         *
         * @return true for the VGG files
         */
        public boolean isEncoder() {
            return encoder;
        }

        /** The reader the file must satisfy: the strict one of its format, never another found on the class path. */
        WeightsReader reader() {
            return source == Source.TORCH7 ? new Torch7WeightsReader() : new PyTorchWeightsReader();
        }

        String role() {
            return encoder ? "encoder" : "decoder";
        }
    }

    /**
     * How a model file in the store stands.
     *
     * <pre>{@code
     * boolean ready = store.list().get(0).state() == ModelStore.State.VERIFIED;
     * }</pre>
     */
    public enum State {
        /** Not in the directory. */
        MISSING,
        /** In the directory but not in the lock file: placed there by hand and not yet checked by a fetch. */
        UNVERIFIED,
        /** In the lock file with the hash it has now: checked by the strict reader when it was pinned. */
        VERIFIED,
        /** Its hash differs from the lock file's: modified or corrupted since it was pinned. */
        CHANGED
    }

    /**
     * A model file's standing in the store.
     *
     * <pre>{@code
     * for (ModelStore.Entry e : store.list()) System.out.println(e.file().fileName() + " " + e.state());
     * }</pre>
     *
     * @param file   which file
     * @param path   where it is (or would be) in the store's directory
     * @param state  missing, unverified, verified or changed
     * @param size   its size in bytes, or -1 when missing
     * @param sha256 its SHA-256 in lowercase hex, or null when missing
     * @param pinned the SHA-256 the lock file pins, or null
     */
    public record Entry(ModelFile file, Path path, State state, long size, String sha256, String pinned) {
    }

    /**
     * A verified encoder and decoder from the store, ready for {@link StyleTransfer.Builder#encoder} and
     * {@link StyleTransfer.Builder#decoder}.
     *
     * <pre>{@code
     * ModelStore.Pretrained p = store.pretrained();
     * StyleTransfer.builder().encoder(p.encoder()).decoder(p.decoder());
     * }</pre>
     *
     * @param source  the set they belong to
     * @param encoder the encoder file
     * @param decoder the decoder file
     */
    public record Pretrained(Source source, Path encoder, Path decoder) {
    }

    /**
     * Hears how a {@link #fetch} goes. Calls come on the fetching thread, in order, file by file.
     *
     * <pre>{@code
     * store.fetch(ModelStore.Source.TORCH7, (file, bytes, total) ->
     *         System.err.printf("%s %d/%d%n", file.fileName(), bytes, total));
     * }</pre>
     */
    @FunctionalInterface
    public interface Listener {
        /** Hears nothing. */
        Listener NONE = (file, bytes, total) -> {
        };

        /**
         * Bytes of a file received so far, resumed ones included; called often while data arrives.
         *
         * @param file  the file being downloaded
         * @param bytes bytes held so far
         * @param total the file's size, or -1 when the server does not say
         */
        void progress(ModelFile file, long bytes, long total);

        /**
         * A request for a file starts: from {@code resumeAt} when a partial download is resumed, else from 0.
         *
         * @param file     the file
         * @param url      where it comes from
         * @param resumeAt the offset the transfer starts at
         */
        default void started(ModelFile file, URI url, long resumeAt) {
        }

        /**
         * A file is complete and is being checked by its strict reader (a second or so for the VGG).
         *
         * @param file the file
         */
        default void verifying(ModelFile file) {
        }

        /**
         * A file is in place and verified.
         *
         * @param entry      its entry (state {@link State#VERIFIED})
         * @param downloaded false when the file was already there (and only checked)
         */
        default void finished(Entry entry, boolean downloaded) {
        }
    }

    private final Path directory;
    private final URI baseUrl;
    private final Duration timeout;

    private ModelStore(Path directory, URI baseUrl, Duration timeout) {
        this.directory = directory;
        this.baseUrl = baseUrl;
        this.timeout = timeout;
    }

    /**
     * The store in the default directory (see the class comment), fetching from the publishers' URLs.
     *
     * @return the standard store
     */
    public static ModelStore standard() {
        return builder().build();
    }

    /**
     * Settings for a store other than the standard one.
     *
     * <pre>{@code
     * ModelStore store = ModelStore.builder().directory(Path.of("models"))
     *         .baseUrl(URI.create("https://mirror.example.org/adain/")).timeout(Duration.ofMinutes(2)).build();
     * }</pre>
     *
     * @return a builder with the defaults
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The directory a store uses unless told otherwise: the system property {@value #DIRECTORY_PROPERTY}, else the
     * environment variable {@value #DIRECTORY_ENV}, else {@code $XDG_CACHE_HOME/adain/models} when
     * {@code XDG_CACHE_HOME} is absolute, else {@code ~/.cache/adain/models}.
     *
     * @return the default models directory (it may not exist yet)
     */
    public static Path defaultDirectory() {
        return defaultDirectory(System.getProperty(DIRECTORY_PROPERTY), System.getenv(DIRECTORY_ENV),
                System.getenv("XDG_CACHE_HOME"), System.getProperty("user.home"));
    }

    /** The default directory from its inputs; blank values count as unset. */
    static Path defaultDirectory(String property, String env, String xdgCacheHome, String home) {
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
        if (xdgCacheHome != null && !xdgCacheHome.isBlank() && Path.of(xdgCacheHome).isAbsolute()) {
            return Path.of(xdgCacheHome, "adain", "models").normalize();
        }
        return Path.of(home, ".cache", "adain", "models").toAbsolutePath().normalize();
    }

    /**
     * The directory holding the models and the lock file.
     *
     * @return an absolute path
     */
    public Path directory() {
        return directory;
    }

    /**
     * The lock file, {@value #LOCK_FILE} in {@link #directory()}.
     *
     * @return its path (it may not exist yet)
     */
    public Path lockFile() {
        return directory.resolve(LOCK_FILE);
    }

    /**
     * The network timeout in force.
     *
     * @return the timeout
     */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Where this store downloads a file from: the mirror's {@code <base>/<file name>} when one is set, else the
     * publisher's URL.
     *
     * @param file the file
     * @return its URL
     */
    public URI url(ModelFile file) {
        Objects.requireNonNull(file, "file");
        return (baseUrl != null ? baseUrl : file.source().defaultBaseUrl()).resolve(file.fileName());
    }

    /**
     * The standing of every known model file, from the files and the lock file alone (hashes, no reading of
     * weights): what {@code adain models list} prints.
     *
     * @return one entry per {@link ModelFile}, in declaration order
     * @throws ModelException the lock file is unreadable or malformed, or a file cannot be read
     */
    public List<Entry> list() {
        ModelLock lock = ModelLock.read(lockFile());
        List<Entry> entries = new ArrayList<>();
        for (ModelFile f : ModelFile.values()) {
            entries.add(entry(f, lock));
        }
        return entries;
    }

    private Entry entry(ModelFile f, ModelLock lock) {
        Path path = directory.resolve(f.fileName());
        String pinned = lock.pin(f.fileName());
        if (!Files.isRegularFile(path)) {
            return new Entry(f, path, State.MISSING, -1, null, pinned);
        }
        String sha = sha256(path);
        long size;
        try {
            size = Files.size(path);
        } catch (IOException e) {
            throw new ModelException("Cannot read " + path + ": " + e.getMessage(), e);
        }
        State state = pinned == null ? State.UNVERIFIED : pinned.equals(sha) ? State.VERIFIED : State.CHANGED;
        return new Entry(f, path, state, size, sha, pinned);
    }

    /**
     * The verified encoder and decoder of the first complete set, {@link Source#TORCH7} before
     * {@link Source#PYTORCH}. Never downloads.
     *
     * @return the two files
     * @throws ModelException the store holds no verified set; the message says which file is missing, unverified
     *                        or changed, and how to fetch
     */
    public Pretrained pretrained() {
        ModelLock lock = ModelLock.read(lockFile());
        List<Entry> all = new ArrayList<>();
        for (Source s : Source.values()) {
            // Set by set, so that a verified Torch7 set is found without hashing the PyTorch files too.
            List<Entry> set = s.files().stream().map(f -> entry(f, lock)).toList();
            if (set.stream().allMatch(e -> e.state() == State.VERIFIED)) {
                return new Pretrained(s, set.get(0).path(), set.get(1).path());
            }
            all.addAll(set);
        }
        // Report on the set the user has started on (the authors' when none or both).
        Source closest = of(all, Source.PYTORCH).stream().filter(e -> e.state() != State.MISSING).count()
                > of(all, Source.TORCH7).stream().filter(e -> e.state() != State.MISSING).count()
                ? Source.PYTORCH : Source.TORCH7;
        List<Entry> set = of(all, closest);
        String fetch = "Run " + fetchCommand(closest);
        for (Entry e : set) {
            if (e.state() == State.CHANGED) {
                throw new ModelException(e.path() + " no longer has the SHA-256 pinned in " + lockFile() + " (pinned "
                        + e.pinned() + ", now " + e.sha256() + "): it was modified or corrupted. " + fetch
                        + " to download it again");
            }
        }
        List<String> missing = set.stream().filter(e -> e.state() == State.MISSING)
                .map(e -> e.file().fileName()).toList();
        if (missing.size() == set.size()) {
            throw new ModelException("No pretrained models in " + directory + ". " + fetch
                    + " once to download and verify " + closest.description() + "; nothing is downloaded "
                    + "implicitly");
        }
        if (!missing.isEmpty()) {
            throw new ModelException("The pretrained models in " + directory + " are incomplete (missing: "
                    + String.join(", ", missing) + "). " + fetch + " to download and verify them");
        }
        String unverified = set.stream().filter(e -> e.state() == State.UNVERIFIED)
                .map(e -> e.file().fileName()).collect(Collectors.joining(", "));
        throw new ModelException("The model files in " + directory + " (" + unverified + ") are not verified yet. "
                + fetch + " to check them with the strict reader and pin their SHA-256");
    }

    private static List<Entry> of(List<Entry> all, Source s) {
        return all.stream().filter(e -> e.file().source() == s).toList();
    }

    /** "'adain models fetch --dir D' (Java: ModelStore.fetch)": how to fetch this set into this store. */
    private String fetchCommand(Source source) {
        return "'adain models fetch" + (directory.equals(defaultDirectory()) ? "" : " --dir " + directory)
                + (source == Source.PYTORCH ? " --pytorch" : "")
                + (baseUrl != null ? " --base-url " + baseUrl : "") + "' (Java: ModelStore.fetch)";
    }

    /**
     * Fetches a set without progress reports; see {@link #fetch(Source, Listener)}.
     *
     * @param source which set
     * @return the verified entries, encoder first
     * @throws ModelException as {@link #fetch(Source, Listener)}
     */
    public List<Entry> fetch(Source source) {
        return fetch(source, Listener.NONE);
    }

    /**
     * Makes the store hold a verified copy of both files of {@code source}. A file already there and matching its pin
     * is left alone; one already there but not pinned (put there by hand) is checked by the strict reader and pinned;
     * anything else is downloaded (resuming a {@code .part}), checked by the strict reader, compared with its pin
     * when there is one, and only then moved into place and pinned.
     *
     * @param source   which set
     * @param listener hears progress; {@link Listener#NONE} for none
     * @return the verified entries, encoder first
     * @throws ModelException the network is unreachable (one message with the URLs and the directory, to download
     *                        by hand), the server refuses a file, a file is not a usable model (naming its URL), a
     *                        file's hash differs from its pin, another fetch into the directory is running, or the
     *                        directory cannot be written
     */
    public List<Entry> fetch(Source source, Listener listener) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(listener, "listener");
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new ModelException("Cannot create the models directory " + directory + ": " + e, e);
        }
        try (FileChannel channel = FileChannel.open(directory.resolve(FETCH_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            FileLock held;
            try {
                held = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                held = null;
            }
            if (held == null) {
                throw new ModelException("Another fetch into " + directory + " is running; wait for it to finish");
            }
            try {
                return fetchLocked(source, listener);
            } finally {
                held.release();
            }
        } catch (IOException e) {
            throw new ModelException("Cannot lock the models directory " + directory + ": " + e, e);
        }
    }

    private List<Entry> fetchLocked(Source source, Listener listener) {
        ModelLock lock = ModelLock.read(lockFile());
        ModelDownload download = new ModelDownload(timeout);
        List<Entry> done = new ArrayList<>();
        for (ModelFile f : source.files()) {
            Entry now = entry(f, lock);
            if (now.state() == State.VERIFIED) {
                listener.finished(now, false);
                done.add(now);
                continue;
            }
            if (now.state() == State.UNVERIFIED) {
                // Put there by hand (e.g. after the offline message): the same checks as a download, then pinned.
                listener.verifying(f);
                verify(f, now.path(), "The file " + now.path() + " (not downloaded by adain)",
                        "; delete or replace it and fetch again");
                lock.pinAndWrite(f.fileName(), now.sha256());
                Entry pinned = entry(f, lock);
                listener.finished(pinned, false);
                done.add(pinned);
                continue;
            }
            // MISSING, or CHANGED (a corrupted copy: a download that matches the pin repairs it).
            done.add(download(f, lock, download, listener, source));
        }
        return done;
    }

    private Entry download(ModelFile f, ModelLock lock, ModelDownload download, Listener listener, Source source) {
        URI url = url(f);
        Path target = directory.resolve(f.fileName());
        Path part = ModelDownload.partFile(target);
        try {
            download.fetch(url, part, at -> listener.started(f, url, at),
                    (bytes, total) -> listener.progress(f, bytes, total));
        } catch (ModelDownload.Unreachable e) {
            throw new ModelException(offline(e.getMessage(), source), e);
        }
        listener.verifying(f);
        try {
            verify(f, part, "Refused " + url + ": the downloaded file", "; it was deleted and nothing was installed");
        } catch (ModelException e) {
            ModelDownload.discard(part);
            throw e;
        }
        String sha = sha256(part);
        String pinned = lock.pin(f.fileName());
        if (pinned != null && !pinned.equals(sha)) {
            ModelDownload.discard(part);
            throw new ModelException("Refused " + url + ": its SHA-256 is " + sha + " but " + lockFile() + " pinned "
                    + pinned + " for " + f.fileName() + " when it was first downloaded; the file changed at the source "
                    + "or in transit, and was not installed. To accept the new file on purpose, delete the line of "
                    + f.fileName() + " from " + lockFile() + " and fetch again");
        }
        try {
            WeightFormats.moveAtomically(part, target);
        } catch (IOException e) {
            ModelDownload.discard(part);
            throw new ModelException("Cannot move the verified download into " + target + ": " + e, e);
        }
        ModelDownload.discard(part); // its If-Range validator
        if (pinned == null) {
            lock.pinAndWrite(f.fileName(), sha);
        }
        Entry entry = entry(f, lock);
        listener.finished(entry, true);
        return entry;
    }

    /** The strict reader's verdict on {@code file} as {@code f}'s role; refusals reworded with {@code subject}. */
    private static void verify(ModelFile f, Path file, String subject, String consequence) {
        WeightsReader reader = f.reader();
        try {
            if (f.isEncoder()) {
                WeightFormats.readEncoder(file, reader);
            } else {
                WeightFormats.readDecoder(file, reader);
            }
        } catch (AdainException e) {
            throw new ModelException(subject + " is not a usable " + reader.formatName() + " " + f.role() + ": "
                    + e.getMessage() + consequence, e);
        }
    }

    /** The one offline message: why, and how to download by hand. */
    private String offline(String why, Source source) {
        List<ModelFile> files = source.files();
        String urls = files.stream().map(f -> url(f).toString()).collect(Collectors.joining(" and "));
        return "Cannot download " + source.description() + ": " + why + ". To download them by hand, save " + urls
                + " into " + directory + " (e.g. with curl -fLO in that directory), then run " + fetchCommand(source)
                + " to verify and pin them";
    }

    /** SHA-256 of a file in lowercase hex. */
    static String sha256(Path file) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new ModelException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public String toString() {
        return "ModelStore[" + directory + (baseUrl != null ? ", mirror " + baseUrl : "") + "]";
    }

    /**
     * Settings for a {@link ModelStore}; all optional.
     *
     * <pre>{@code
     * ModelStore store = ModelStore.builder().directory(Path.of("/srv/models")).build();
     * }</pre>
     */
    public static final class Builder {
        private Path directory;
        private URI baseUrl;
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder() {
        }

        /**
         * The models directory; default {@link ModelStore#defaultDirectory()}.
         *
         * @param directory where the models and the lock file go (created by {@link ModelStore#fetch})
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * A mirror: every file is fetched from {@code <base>/<file name>} instead of its publisher's URL. The pins in
         * the lock file apply all the same.
         *
         * @param base an http or https URL of a directory (a missing final '/' is added)
         * @return this builder
         * @throws InvalidRequestException the URL is not absolute http(s) with a host
         */
        public Builder baseUrl(URI base) {
            Objects.requireNonNull(base, "base");
            String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || base.getHost() == null) {
                throw new InvalidRequestException("The models base URL must be an absolute http or https URL with a "
                        + "host, e.g. https://mirror.example.org/adain/; got '" + base + "'");
            }
            if (base.getRawQuery() != null || base.getRawFragment() != null) {
                throw new InvalidRequestException("The models base URL must not have a query or fragment: '" + base
                        + "'");
            }
            String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
            this.baseUrl = path.endsWith("/") ? base.resolve(path) : base.resolve(path + "/");
            return this;
        }

        /**
         * The network timeout: to connect, to receive the response headers, and at most between two pieces of data.
         * Default {@link ModelStore#DEFAULT_TIMEOUT}.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws InvalidRequestException the duration is zero or negative
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new InvalidRequestException("The download timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The store. Touches no file and no network.
         *
         * @return the store
         */
        public ModelStore build() {
            Path dir = directory != null ? directory.toAbsolutePath().normalize() : defaultDirectory();
            return new ModelStore(dir, baseUrl, timeout);
        }
    }
}
