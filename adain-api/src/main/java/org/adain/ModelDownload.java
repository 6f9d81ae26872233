package org.adain;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file's HTTP transfer for {@link ModelStore}: into {@code <name>.part}, resumed with a {@code Range} request
 * when a {@code .part} is already there (guarded by {@code If-Range} with the validator the server gave when the
 * file was started, kept in {@code <name>.part.if-range}), restarted from zero when the server answers a range
 * request with the whole file (200) or cannot satisfy it (416), and retried while each attempt makes progress.
 * It only moves bytes; checking and installing the result is {@link ModelStore}'s job.
 */
final class ModelDownload {
    /** Larger than any AdaIN model (the VGG is about 80 MB): a server streaming without end is cut off here. */
    static final long MAX_BYTES = 1L << 30;
    /** Attempts per file; a further one is made only if the one before received data. */
    static final int MAX_ATTEMPTS = 4;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** The network failed (no connection, DNS, timeout, cut connection without progress). */
    static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Receives the bytes of the file held so far (resumed bytes included) and the total, -1 when unknown. */
    interface Progress {
        void update(long bytes, long total);
    }

    private final HttpClient client;
    private final Duration timeout;

    ModelDownload(Duration timeout) {
        this.timeout = timeout;
        // NORMAL follows redirects (GitHub release assets redirect to a storage host) but never https -> http.
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** The {@code .part} file a download of {@code target} goes to. */
    static Path partFile(Path target) {
        return target.resolveSibling(target.getFileName() + ".part");
    }

    private static Path validatorFile(Path part) {
        return part.resolveSibling(part.getFileName() + ".if-range");
    }

    /** Deletes a {@code .part} file and its validator. */
    static void discard(Path part) {
        try {
            Files.deleteIfExists(part);
            Files.deleteIfExists(validatorFile(part));
        } catch (IOException ignored) {
            // a leftover .part is restarted or resumed by the next fetch, never installed unchecked
        }
    }

    /**
     * Brings {@code part} to the complete body of {@code url}.
     *
     * @param resumed told the byte offset each request starts at (0 for a fresh start)
     * @throws Unreachable   the network failed
     * @throws ModelException the server refused (HTTP status), sent too much, or the file cannot be written
     */
    void fetch(URI url, Path part, LongConsumer resumed, Progress progress) throws Unreachable {
        int attempt = 0;
        boolean restartedOnce = false;
        while (true) {
            attempt++;
            long before = size(part);
            try {
                Outcome o = attempt(url, part, resumed, progress);
                if (o == Outcome.COMPLETE) {
                    return;
                }
                if (o == Outcome.RESTART && !restartedOnce) {
                    restartedOnce = true; // the .part did not fit the file on the server: once from zero
                    attempt--;
                    continue;
                }
                if (o == Outcome.RESTART) {
                    throw new ModelException("Cannot download " + url + ": the server's answers to range requests "
                            + "are inconsistent (the download restarted twice); try again later or use a mirror");
                }
            } catch (Unreachable e) {
                boolean progressed = size(part) > before;
                if (!progressed || attempt >= MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    private enum Outcome {
        COMPLETE, RESTART
    }

    private Outcome attempt(URI url, Path part, LongConsumer resumed, Progress progress)
            throws Unreachable {
        long have = size(part);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(timeout).header("User-Agent", "adain")
                .GET();
        if (have > 0) {
            request.header("Range", "bytes=" + have + "-");
            String validator = readValidator(part);
            if (validator != null) {
                request.header("If-Range", validator);
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new Unreachable(describe(e, url), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("Download of " + url + " interrupted", e);
        }
        long total;
        long bytes;
        try (InputStream body = response.body()) {
            int status = response.statusCode();
            long start;
            if (status == 206 && have > 0) {
                Matcher m = CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have) {
                    discard(part); // the server sent another part than asked for: start over
                    return Outcome.RESTART;
                }
                start = have;
                total = m.group(3).equals("*") ? -1 : Long.parseLong(m.group(3));
            } else if (status == 200) {
                // A fresh start, or a server that ignores Range (or an If-Range that no longer matches): the body
                // is the whole file, so the .part starts over.
                start = 0;
                total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
                discard(part);
                writeValidator(part, validator(response));
            } else if (status == 416 && have > 0) {
                discard(part); // the .part is as long as the file or longer: it cannot be resumed
                return Outcome.RESTART;
            } else {
                throw new ModelException("Cannot download " + url + ": the server answered HTTP " + status
                        + reason(status));
            }
            if (total > MAX_BYTES) {
                throw new ModelException("Refused " + url + ": the server announces " + total + " bytes, more than "
                        + "the " + MAX_BYTES + " any AdaIN model has");
            }
            resumed.accept(start);
            bytes = copy(url, body, part, start, total, progress);
        } catch (IOException e) {
            throw new ModelException("Cannot write " + part + ": " + e.getMessage(), e);
        }
        // Without a length (chunked), a cut shows as an exception above, so the end of the stream is the end.
        if (total < 0 || bytes == total) {
            return Outcome.COMPLETE;
        }
        throw new Unreachable("the connection to " + url.getHost() + " ended after " + bytes + " of " + total
                + " bytes", null);
    }

    /**
     * Streams the body into the part file and returns the bytes it then holds. A watchdog closes the stream when no
     * byte arrives for the timeout: the client's own timeout covers only the wait for the response headers.
     */
    private long copy(URI url, InputStream body, Path part, long start, long total, Progress progress)
            throws IOException, Unreachable {
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "adain-download-watchdog");
            t.setDaemon(true);
            return t;
        });
        AtomicLong lastData = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long period = Math.max(10, Math.min(1000, timeout.toMillis() / 4));
        watchdog.scheduleAtFixedRate(() -> {
            if (System.nanoTime() - lastData.get() > timeout.toNanos() && stalled.compareAndSet(false, true)) {
                try {
                    body.close(); // unblocks the read below
                } catch (IOException ignored) {
                    // the read fails either way
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        long bytes = start;
        progress.update(bytes, total);
        try (OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            byte[] buffer = new byte[64 * 1024];
            while (true) {
                int n;
                try {
                    n = body.read(buffer);
                } catch (IOException e) {
                    if (stalled.get()) {
                        throw new Unreachable("no data from " + url.getHost() + " for " + seconds(timeout)
                                + " (the timeout) after " + bytes + " bytes", e);
                    }
                    throw new Unreachable("the connection to " + url.getHost() + " broke after " + bytes
                            + " bytes (" + e.getMessage() + ")", e);
                }
                if (n < 0) {
                    return bytes;
                }
                lastData.set(System.nanoTime());
                if (bytes + n > MAX_BYTES || total >= 0 && bytes + n > total) {
                    out.close();
                    discard(part);
                    throw new ModelException("Refused " + url + ": the server sent more than "
                            + (total >= 0 ? "the " + total + " bytes it announced" : MAX_BYTES + " bytes"));
                }
                out.write(buffer, 0, n);
                bytes += n;
                progress.update(bytes, total);
            }
        } finally {
            watchdog.shutdownNow();
        }
    }

    /** A one-phrase account of a network failure, e.g. "connection refused by 127.0.0.1:9". */
    private String describe(IOException e, URI url) {
        String host = url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "the host " + url.getHost() + " was not found (DNS)";
            }
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connecting to " + host + " timed out after " + seconds(timeout);
        }
        if (e instanceof HttpTimeoutException) {
            return host + " did not answer within " + seconds(timeout) + " (the timeout)";
        }
        if (e instanceof ConnectException) {
            return "cannot connect to " + host + " (connection refused or no network)";
        }
        return "the request to " + host + " failed (" + e + ")";
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static String reason(int status) {
        return switch (status) {
            case 403 -> " (Forbidden)";
            case 404 -> " (Not Found)";
            case 410 -> " (Gone)";
            case 429 -> " (Too Many Requests)";
            case 500 -> " (Internal Server Error)";
            case 502 -> " (Bad Gateway)";
            case 503 -> " (Service Unavailable)";
            default -> "";
        };
    }

    /** A strong ETag or, failing that, Last-Modified: what If-Range may carry. */
    private static String validator(HttpResponse<?> response) {
        Optional<String> etag = response.headers().firstValue("ETag");
        if (etag.isPresent() && !etag.get().startsWith("W/")) {
            return etag.get();
        }
        return response.headers().firstValue("Last-Modified").orElse(null);
    }

    private static void writeValidator(Path part, String validator) throws IOException {
        if (validator != null && !validator.isBlank() && validator.indexOf('\n') < 0) {
            Files.writeString(validatorFile(part), validator, StandardCharsets.US_ASCII);
        }
    }

    private static String readValidator(Path part) {
        try {
            Path f = validatorFile(part);
            return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.US_ASCII).strip() : null;
        } catch (IOException e) {
            return null; // without it the resume goes ahead unguarded; the checks after the download still apply
        }
    }

    private static long size(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }
}
