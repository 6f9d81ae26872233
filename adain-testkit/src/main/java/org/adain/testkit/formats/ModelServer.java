package org.adain.testkit.formats;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small HTTP server on 127.0.0.1 that serves model files the way the publishers' servers do (Content-Length,
 * a strong ETag, {@code Range} requests answered with 206 and {@code Content-Range}, {@code If-Range}), and can
 * misbehave on purpose: cut the connection mid-file, stall, ignore {@code Range}, answer with an error status. It
 * records every request, so a test can check what the client asked for. For {@code org.adain.ModelStore} tests.
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.start()) {
 *     server.serve("decoder.t7", FormatFixtures.bytes(FormatFixtures.T7_DECODER));
 *     server.cutOnceAfter("decoder.t7", 50_000);
 *     ModelStore store = ModelStore.builder().directory(dir).baseUrl(server.baseUrl()).build();
 * }
 * }</pre>
 */
public final class ModelServer implements AutoCloseable {
    /** The path all files are served under. */
    public static final String PREFIX = "/models/";
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    /**
     * One request as the server saw it.
     *
     * @param file    the file name asked for
     * @param range   the Range header, or null
     * @param ifRange the If-Range header, or null
     * @param status  the status answered
     */
    public record Request(String file, String range, String ifRange, int status) {
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, Integer> cutOnce = new ConcurrentHashMap<>();
    private final Map<String, Integer> stallAfter = new ConcurrentHashMap<>();
    private final Map<String, Integer> statuses = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private volatile boolean ignoreRange;

    private ModelServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @return the running server
     */
    public static ModelServer start() {
        try {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            // Several threads: a stalled answer must not hold up the others.
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "model-server");
                t.setDaemon(true);
                return t;
            });
            s.setExecutor(executor);
            ModelServer m = new ModelServer(s, executor);
            s.createContext(PREFIX, m::handle);
            s.start();
            return m;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The URL files are served under, e.g. {@code http://127.0.0.1:41234/models/}.
     *
     * @return the base URL, ending in '/'
     */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PREFIX);
    }

    /**
     * Serves (or replaces) a file at {@code baseUrl() + name}.
     *
     * @param name the file name
     * @param body its content
     * @return this server
     */
    public ModelServer serve(String name, byte[] body) {
        files.put(name, body.clone());
        return this;
    }

    /**
     * The next full answer for {@code name} sends its headers and {@code bytes} bytes, then drops the connection.
     *
     * @param name  the file name
     * @param bytes bytes sent before the cut
     * @return this server
     */
    public ModelServer cutOnceAfter(String name, int bytes) {
        cutOnce.put(name, bytes);
        return this;
    }

    /**
     * Every answer for {@code name} sends {@code bytes} bytes and then nothing until the server closes.
     *
     * @param name  the file name
     * @param bytes bytes sent before the stall
     * @return this server
     */
    public ModelServer stallAfter(String name, int bytes) {
        stallAfter.put(name, bytes);
        return this;
    }

    /**
     * Answers {@code name} with this status and a small HTML page instead of the file.
     *
     * @param name   the file name
     * @param status e.g. 404
     * @return this server
     */
    public ModelServer status(String name, int status) {
        statuses.put(name, status);
        return this;
    }

    /**
     * Whether to answer range requests with the whole file (200), as some servers and proxies do.
     *
     * @param ignore true to ignore Range headers
     * @return this server
     */
    public ModelServer ignoreRange(boolean ignore) {
        this.ignoreRange = ignore;
        return this;
    }

    /**
     * Every request so far, in order.
     *
     * @return a snapshot of the requests
     */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The ETag of a body: changes with the content, as a real server's does. */
    private static String etag(byte[] body) {
        return "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "-" + body.length + "\"";
    }

    private void handle(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring(PREFIX.length());
        String range = ex.getRequestHeaders().getFirst("Range");
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        byte[] body = files.get(name);
        Integer forced = statuses.get(name);
        if (body == null || forced != null) {
            int status = forced != null ? forced : 404;
            requests.add(new Request(name, range, ifRange, status));
            byte[] page = ("<!DOCTYPE html><html><body><h1>" + status + "</h1></body></html>")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            ex.getResponseHeaders().set("Content-Type", "text/html");
            ex.sendResponseHeaders(status, page.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(page);
            }
            return;
        }
        String etag = etag(body);
        ex.getResponseHeaders().set("ETag", etag);
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
        Matcher m = range == null ? null : RANGE.matcher(range);
        int start = 0;
        int status = 200;
        if (m != null && m.matches() && !ignoreRange && (ifRange == null || ifRange.equals(etag))) {
            long from = Long.parseLong(m.group(1));
            if (from >= body.length) {
                requests.add(new Request(name, range, ifRange, 416));
                ex.getResponseHeaders().set("Content-Range", "bytes */" + body.length);
                ex.sendResponseHeaders(416, -1);
                ex.close();
                return;
            }
            start = (int) from;
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (body.length - 1) + "/"
                    + body.length);
        }
        requests.add(new Request(name, range, ifRange, status));
        ex.sendResponseHeaders(status, body.length - start);
        OutputStream out = ex.getResponseBody();
        Integer cut = cutOnce.remove(name);
        Integer stall = stallAfter.get(name);
        int limit = cut != null ? cut : stall != null ? stall : Integer.MAX_VALUE;
        int end = (int) Math.min(body.length, (long) start + limit);
        out.write(body, start, end - start);
        out.flush();
        if (cut != null) {
            // Leaving the handler with an exception makes the server drop the connection mid-body.
            throw new IOException("cut on purpose after " + cut + " bytes");
        }
        if (stall != null) {
            try {
                closing.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new IOException("stalled on purpose");
        }
        out.close();
    }

    /** Stops the server and releases stalled answers. */
    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
