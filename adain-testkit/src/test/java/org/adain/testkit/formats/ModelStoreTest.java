package org.adain.testkit.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.adain.ModelException;
import org.adain.ModelStore;
import org.adain.ModelStore.Entry;
import org.adain.ModelStore.ModelFile;
import org.adain.ModelStore.Source;
import org.adain.ModelStore.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelStore} against {@link ModelServer} on 127.0.0.1 serving the small Torch7 and PyTorch fixtures under the
 * published file names: success, HTTP errors, a cut connection resumed with Range, a server that ignores Range, wrong
 * content, a file changed after pinning, a stalled server and an unreachable one.
 */
@Timeout(60)
class ModelStoreTest {
    static final byte[] VGG_T7 = FormatFixtures.bytes(FormatFixtures.T7_ENCODER);
    static final byte[] DECODER_T7 = FormatFixtures.bytes(FormatFixtures.T7_DECODER);
    static final byte[] VGG_PTH = FormatFixtures.bytes(FormatFixtures.ZIP_ENCODER);
    static final byte[] DECODER_PTH = FormatFixtures.bytes(FormatFixtures.ZIP_DECODER);

    @TempDir
    Path tmp;

    Path dir;
    ModelServer server;
    ModelStore store;

    @BeforeEach
    void serve() {
        dir = tmp.resolve("models");
        server = ModelServer.start().serve("vgg_normalised.t7", VGG_T7).serve("decoder.t7", DECODER_T7)
                .serve("vgg_normalised.pth", VGG_PTH).serve("decoder.pth", DECODER_PTH);
        store = ModelStore.builder().directory(dir).baseUrl(server.baseUrl()).timeout(Duration.ofSeconds(10)).build();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Records what a fetch tells its listener. */
    static final class Recorder implements ModelStore.Listener {
        final List<String> events = new ArrayList<>();
        final List<long[]> progress = new ArrayList<>();

        @Override
        public void progress(ModelFile file, long bytes, long total) {
            progress.add(new long[] {file.ordinal(), bytes, total});
        }

        @Override
        public void started(ModelFile file, URI url, long resumeAt) {
            events.add("started " + file.fileName() + " at " + resumeAt + " from " + url);
        }

        @Override
        public void verifying(ModelFile file) {
            events.add("verifying " + file.fileName());
        }

        @Override
        public void finished(Entry entry, boolean downloaded) {
            events.add("finished " + entry.file().fileName() + " " + entry.state() + (downloaded ? " downloaded" : ""));
        }

        long lastBytes(ModelFile f) {
            return progress.stream().filter(p -> p[0] == f.ordinal()).reduce((a, b) -> b).orElseThrow()[1];
        }
    }

    private List<ModelServer.Request> requestsFor(String name) {
        return server.requests().stream().filter(r -> r.file().equals(name)).toList();
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".part")).toList();
        }
    }

    @Test
    void fetchDownloadsVerifiesPinsAndInstallsBothFiles() throws Exception {
        Recorder rec = new Recorder();
        List<Entry> done = store.fetch(Source.TORCH7, rec);

        assertThat(done).extracting(Entry::state).containsExactly(State.VERIFIED, State.VERIFIED);
        assertThat(dir.resolve("vgg_normalised.t7")).hasBinaryContent(VGG_T7);
        assertThat(dir.resolve("decoder.t7")).hasBinaryContent(DECODER_T7);
        assertThat(leftovers()).isEmpty();
        // sha256sum format: the lock checks by hand with `sha256sum -c models.lock`
        assertThat(Files.readAllLines(store.lockFile())).contains(sha256(VGG_T7) + "  vgg_normalised.t7",
                sha256(DECODER_T7) + "  decoder.t7");
        assertThat(rec.events).containsExactly(
                "started vgg_normalised.t7 at 0 from " + server.baseUrl() + "vgg_normalised.t7",
                "verifying vgg_normalised.t7", "finished vgg_normalised.t7 VERIFIED downloaded",
                "started decoder.t7 at 0 from " + server.baseUrl() + "decoder.t7",
                "verifying decoder.t7", "finished decoder.t7 VERIFIED downloaded");
        assertThat(rec.lastBytes(ModelFile.DECODER_T7)).isEqualTo(DECODER_T7.length);
        assertThat(rec.progress).allSatisfy(p -> assertThat(p[2]).isIn((long) VGG_T7.length,
                (long) DECODER_T7.length));

        assertThat(store.list()).extracting(e -> e.file().fileName() + " " + e.state()).containsExactly(
                "vgg_normalised.t7 VERIFIED", "decoder.t7 VERIFIED", "vgg_normalised.pth MISSING",
                "decoder.pth MISSING");
        ModelStore.Pretrained p = store.pretrained();
        assertThat(p.source()).isEqualTo(Source.TORCH7);
        assertThat(p.encoder()).isEqualTo(dir.resolve("vgg_normalised.t7"));
        assertThat(p.decoder()).isEqualTo(dir.resolve("decoder.t7"));

        // A second fetch finds both verified and asks the server nothing.
        int before = server.requests().size();
        Recorder again = new Recorder();
        store.fetch(Source.TORCH7, again);
        assertThat(server.requests()).hasSize(before);
        assertThat(again.events).containsExactly("finished vgg_normalised.t7 VERIFIED",
                "finished decoder.t7 VERIFIED");
    }

    @Test
    void fetchesThePyTorchPortsFilesToo() {
        store.fetch(Source.PYTORCH);
        assertThat(dir.resolve("vgg_normalised.pth")).hasBinaryContent(VGG_PTH);
        assertThat(dir.resolve("decoder.pth")).hasBinaryContent(DECODER_PTH);
        assertThat(store.pretrained().source()).isEqualTo(Source.PYTORCH);
    }

    @Test
    void notFoundIsRefusedWithTheUrlAndNothingIsInstalled() throws IOException {
        server.status("decoder.t7", 404);
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessage("Cannot download " + server.baseUrl() + "decoder.t7: the server answered HTTP 404 "
                        + "(Not Found)");
        assertThat(dir.resolve("decoder.t7")).doesNotExist();
        assertThat(leftovers()).isEmpty();
        assertThat(Files.readString(store.lockFile())).doesNotContain("decoder.t7");
    }

    @Test
    void aConnectionCutMidFileIsResumedWithRangeAndTheResultIsByteIdentical() throws Exception {
        server.cutOnceAfter("vgg_normalised.t7", 50_000);
        Recorder rec = new Recorder();
        store.fetch(Source.TORCH7, rec);

        List<ModelServer.Request> asked = requestsFor("vgg_normalised.t7");
        assertThat(asked).hasSize(2);
        assertThat(asked.get(0).range()).isNull();
        assertThat(asked.get(1).range()).isEqualTo("bytes=50000-");
        assertThat(asked.get(1).ifRange()).as("guarded by the ETag of the first answer").isNotNull();
        assertThat(asked.get(1).status()).isEqualTo(206);
        assertThat(rec.events).contains("started vgg_normalised.t7 at 50000 from " + server.baseUrl()
                + "vgg_normalised.t7");
        assertThat(dir.resolve("vgg_normalised.t7")).hasBinaryContent(VGG_T7);
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aPartFileLeftByAnEarlierRunIsResumed() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("decoder.t7.part"), Arrays.copyOf(DECODER_T7, 40_000));
        store.fetch(Source.TORCH7);

        List<ModelServer.Request> asked = requestsFor("decoder.t7");
        assertThat(asked).extracting(ModelServer.Request::range).containsExactly("bytes=40000-");
        assertThat(asked.get(0).status()).isEqualTo(206);
        assertThat(dir.resolve("decoder.t7")).hasBinaryContent(DECODER_T7);
    }

    @Test
    void aServerThatIgnoresRangeRestartsTheFileCleanly() throws Exception {
        Files.createDirectories(dir);
        byte[] junk = new byte[30_000];
        new Random(1).nextBytes(junk);
        Files.write(dir.resolve("decoder.t7.part"), junk);
        server.ignoreRange(true);
        store.fetch(Source.TORCH7);

        List<ModelServer.Request> asked = requestsFor("decoder.t7");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).range()).isEqualTo("bytes=30000-");
        assertThat(asked.get(0).status()).isEqualTo(200);
        assertThat(dir.resolve("decoder.t7")).hasBinaryContent(DECODER_T7);
    }

    @Test
    void aPartFileLongerThanTheFileIsRestarted() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("decoder.t7.part"), Arrays.copyOf(DECODER_T7, DECODER_T7.length + 10));
        store.fetch(Source.TORCH7);

        assertThat(requestsFor("decoder.t7")).extracting(ModelServer.Request::status).containsExactly(416, 200);
        assertThat(dir.resolve("decoder.t7")).hasBinaryContent(DECODER_T7);
    }

    @Test
    void anHtmlPageInsteadOfTheModelIsRefusedAndNotKept() throws IOException {
        server.serve("decoder.t7", "<!DOCTYPE html><html><body>Access denied</body></html>"
                .getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("Refused " + server.baseUrl() + "decoder.t7: the downloaded file is not a "
                        + "usable Torch7 (.t7) decoder: ")
                .hasMessageContaining("a web page, not weights")
                .hasMessageEndingWith("; it was deleted and nothing was installed");
        assertThat(dir.resolve("decoder.t7")).doesNotExist();
        assertThat(leftovers()).isEmpty();
        assertThat(Files.readString(store.lockFile())).contains("vgg_normalised.t7").doesNotContain("decoder.t7");
        assertThat(store.list().get(1).state()).isEqualTo(State.MISSING);
    }

    @Test
    void randomBytesAreRefused() throws IOException {
        byte[] junk = new byte[5_000];
        new Random(2).nextBytes(junk);
        server.serve("vgg_normalised.t7", junk);
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("Refused " + server.baseUrl() + "vgg_normalised.t7: the downloaded file is "
                        + "not a usable Torch7 (.t7) encoder: ")
                .hasMessageContaining("is not a Torch7 (.t7) file (it starts with ");
        assertThat(dir.resolve("vgg_normalised.t7")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aDecoderServedAsTheEncoderIsRefusedByTheStrictReader() throws IOException {
        server.serve("vgg_normalised.t7", DECODER_T7);
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("Refused " + server.baseUrl() + "vgg_normalised.t7: the downloaded file is "
                        + "not a usable Torch7 (.t7) encoder: vgg_normalised.t7.part");
        assertThat(dir.resolve("vgg_normalised.t7")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFileThatChangedAfterPinningIsRefusedUntilItsPinIsDeleted() throws Exception {
        store.fetch(Source.PYTORCH);
        String lock = Files.readString(store.lockFile());
        // Upstream now serves other bytes (the same weights in the legacy container): a different hash.
        byte[] changed = FormatFixtures.bytes(FormatFixtures.LEGACY_DECODER);
        server.serve("decoder.pth", changed);
        Files.delete(dir.resolve("decoder.pth"));

        assertThatThrownBy(() -> store.fetch(Source.PYTORCH)).isInstanceOf(ModelException.class)
                .hasMessage("Refused " + server.baseUrl() + "decoder.pth: its SHA-256 is " + sha256(changed) + " but "
                        + store.lockFile() + " pinned " + sha256(DECODER_PTH) + " for decoder.pth when it was first "
                        + "downloaded; the file changed at the source or in transit, and was not installed. To accept "
                        + "the new file on purpose, delete the line of decoder.pth from " + store.lockFile()
                        + " and fetch again");
        assertThat(dir.resolve("decoder.pth")).doesNotExist();
        assertThat(leftovers()).isEmpty();
        assertThat(Files.readString(store.lockFile())).isEqualTo(lock);

        // Following the message: delete the pin, fetch again, the new file is pinned.
        List<String> kept = Files.readAllLines(store.lockFile()).stream()
                .filter(l -> !l.endsWith("  decoder.pth")).toList();
        Files.write(store.lockFile(), kept);
        store.fetch(Source.PYTORCH);
        assertThat(dir.resolve("decoder.pth")).hasBinaryContent(changed);
        assertThat(Files.readAllLines(store.lockFile())).contains(sha256(changed) + "  decoder.pth");
    }

    @Test
    void aCachedFileModifiedLocallyIsNotUsedAndAFetchRestoresIt() throws Exception {
        store.fetch(Source.TORCH7);
        Path decoder = dir.resolve("decoder.t7");
        byte[] corrupt = DECODER_T7.clone();
        corrupt[corrupt.length / 2] ^= 1;
        Files.write(decoder, corrupt);

        assertThat(store.list().get(1).state()).isEqualTo(State.CHANGED);
        assertThatThrownBy(store::pretrained).isInstanceOf(ModelException.class)
                .hasMessageStartingWith(decoder + " no longer has the SHA-256 pinned in " + store.lockFile())
                .hasMessageContaining("Run 'adain models fetch --dir " + dir + " --base-url " + server.baseUrl()
                        + "' (Java: ModelStore.fetch) to download it again");

        store.fetch(Source.TORCH7);
        assertThat(decoder).hasBinaryContent(DECODER_T7);
        assertThat(store.pretrained().decoder()).isEqualTo(decoder);
    }

    @Test
    void aStalledServerHitsTheTimeoutWithTheOfflineMessage() throws IOException {
        server.stallAfter("vgg_normalised.t7", 1_000);
        ModelStore impatient = ModelStore.builder().directory(dir).baseUrl(server.baseUrl())
                .timeout(Duration.ofSeconds(1)).build(); // long enough that a busy machine does not trip it early
        assertThatThrownBy(() -> impatient.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("Cannot download the authors' Torch7 models: no data from 127.0.0.1 for 1 s "
                        + "(the timeout) after ")
                .hasMessageContaining("To download them by hand, save " + server.baseUrl() + "vgg_normalised.t7 and "
                        + server.baseUrl() + "decoder.t7 into " + dir);
        assertThat(dir.resolve("vgg_normalised.t7")).doesNotExist();
        // Each attempt received data, so each was retried from where it stopped, and the rest is kept for next time.
        assertThat(requestsFor("vgg_normalised.t7")).extracting(ModelServer.Request::range)
                .containsExactly(null, "bytes=1000-", "bytes=2000-", "bytes=3000-");
        assertThat(dir.resolve("vgg_normalised.t7.part")).hasSize(4_000);
    }

    @Test
    void anUnreachableServerGivesOneErrorSayingHowToDownloadByHand() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed again below: nothing listens there
        }
        URI base = URI.create("http://127.0.0.1:" + port + "/adain/");
        ModelStore offline = ModelStore.builder().directory(dir).baseUrl(base).timeout(Duration.ofSeconds(5)).build();

        assertThatThrownBy(() -> offline.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessage("Cannot download the authors' Torch7 models: cannot connect to 127.0.0.1:" + port
                        + " (connection refused or no network). To download them by hand, save " + base
                        + "vgg_normalised.t7 and " + base + "decoder.t7 into " + dir + " (e.g. with curl -fLO in "
                        + "that directory), then run 'adain models fetch --dir " + dir + " --base-url " + base
                        + "' (Java: ModelStore.fetch) to verify and pin them");
        assertThat(offline.list()).extracting(Entry::state).containsOnly(State.MISSING);
    }

    @Test
    void filesDownloadedByHandAreVerifiedAndPinnedWithoutTheNetwork() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("vgg_normalised.t7"), VGG_T7);
        Files.write(dir.resolve("decoder.t7"), DECODER_T7);
        assertThat(store.list()).extracting(Entry::state).startsWith(State.UNVERIFIED, State.UNVERIFIED);
        assertThatThrownBy(store::pretrained).isInstanceOf(ModelException.class)
                .hasMessageContaining("(vgg_normalised.t7, decoder.t7) are not verified yet");

        Recorder rec = new Recorder();
        store.fetch(Source.TORCH7, rec);
        assertThat(server.requests()).isEmpty();
        assertThat(rec.events).containsExactly("verifying vgg_normalised.t7", "finished vgg_normalised.t7 VERIFIED",
                "verifying decoder.t7", "finished decoder.t7 VERIFIED");
        assertThat(store.pretrained().encoder()).isEqualTo(dir.resolve("vgg_normalised.t7"));
    }

    @Test
    void aWrongFilePutThereByHandIsRefusedAndLeftAlone() throws Exception {
        Files.createDirectories(dir);
        Files.write(dir.resolve("vgg_normalised.t7"), DECODER_T7);
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("The file " + dir.resolve("vgg_normalised.t7") + " (not downloaded by adain) "
                        + "is not a usable Torch7 (.t7) encoder: ")
                .hasMessageEndingWith("; delete or replace it and fetch again");
        assertThat(dir.resolve("vgg_normalised.t7")).hasBinaryContent(DECODER_T7);
        assertThat(server.requests()).isEmpty();
        assertThat(store.lockFile()).doesNotExist();
    }

    @Test
    void anEmptyStoreSaysHowToFetch() {
        assertThatThrownBy(store::pretrained).isInstanceOf(ModelException.class)
                .hasMessage("No pretrained models in " + dir + ". Run 'adain models fetch --dir " + dir
                        + " --base-url " + server.baseUrl() + "' (Java: ModelStore.fetch) once to download and verify "
                        + "the authors' Torch7 models; nothing is downloaded implicitly");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aSecondFetchIntoTheSameDirectoryIsRefusedWhileOneRuns() throws Exception {
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(dir.resolve(".fetch.lck"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock held = ch.lock()) {
            assertThat(held.isValid()).isTrue();
            assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                    .hasMessage("Another fetch into " + dir + " is running; wait for it to finish");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aMalformedLockFileIsNamed() throws Exception {
        Files.createDirectories(dir);
        Files.writeString(store.lockFile(), "# comment\nnot a hash  decoder.t7\n");
        assertThatThrownBy(() -> store.fetch(Source.TORCH7)).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("The model lock file " + store.lockFile() + " has a malformed line 2 "
                        + "('not a hash  decoder.t7')");
    }
}
