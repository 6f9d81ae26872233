package org.adain.testkit.reference;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * The reference cases computed by the independent float64 oracle
 * ({@code adain-testkit/oracle/make_references.py}, "port" semantics), read from
 * {@code cases.json} on the classpath.
 *
 * <pre>{@code
 * ReferenceCases refs = ReferenceCases.load();
 * ReferenceCase c = refs.get("alpha_0.6");
 * Path encoder = ReferenceCases.copyTo(c.encoder(), tempDir);      // native HDF5 readers need files
 * Npy.Array content = ReferenceCases.imageTensor(c.content());      // 1 x 3 x H x W, uint8 / 255
 * Npy.Array want = c.load("output");
 * assertThat(mine.maxAbsDiff(want)).isLessThanOrEqualTo(c.output().tolerance());
 * }</pre>
 *
 * All paths in the manifest are relative to {@link #RESOURCE_ROOT}.
 */
public final class ReferenceCases {

    /** Classpath directory holding {@code cases.json}, {@code images/}, {@code models/}, {@code cases/}. */
    public static final String RESOURCE_ROOT = "org/adain/testkit/reference/";
    public static final String MANIFEST = "cases.json";

    /**
     * A model file of the manifest.
     *
     * @param id           its key in {@code models}
     * @param file         resource path
     * @param role         {@code "normalised encoder"}, {@code "decoder"}, {@code "keras-applications VGG19 notop"}
     * @param layout       which Keras writer's layout it mimics
     * @param sameWeightsAs id of the other file holding the same weights in another layout
     */
    public record ModelInfo(String id, String file, String role, String layout, String sameWeightsAs) {
    }

    private static volatile ReferenceCases loaded;

    private final Map<String, Object> manifest;
    private final Map<String, ReferenceCase> cases;
    private final Map<String, ModelInfo> models;

    private ReferenceCases(Map<String, Object> manifest, String source) {
        this.manifest = manifest;
        Map<String, ReferenceCase> byName = new LinkedHashMap<>();
        for (Object o : list(manifest.get("cases"), source + " cases")) {
            ReferenceCase c = parseCase(map(o, source + " case"), source);
            if (byName.put(c.name(), c) != null) {
                throw new IllegalArgumentException(source + ": duplicate case " + c.name());
            }
        }
        this.cases = Collections.unmodifiableMap(byName);
        Map<String, ModelInfo> ms = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map(manifest.get("models"), source + " models").entrySet()) {
            String where = source + " models." + e.getKey();
            Map<String, Object> m = map(e.getValue(), where);
            ms.put(e.getKey(), new ModelInfo(e.getKey(), string(m.get("file"), where + ".file"),
                    string(m.get("role"), where + ".role"), string(m.get("layout"), where + ".layout"),
                    string(m.get("same_weights_as"), where + ".same_weights_as")));
        }
        this.models = Collections.unmodifiableMap(ms);
    }

    /** Loads (once) the manifest from the classpath. */
    public static ReferenceCases load() {
        ReferenceCases r = loaded;
        if (r == null) {
            synchronized (ReferenceCases.class) {
                r = loaded;
                if (r == null) {
                    String json = new String(bytes(MANIFEST), StandardCharsets.UTF_8);
                    r = parse(json, RESOURCE_ROOT + MANIFEST);
                    loaded = r;
                }
            }
        }
        return r;
    }

    /** Parses a manifest text (exposed for tests of the parser). */
    public static ReferenceCases parse(String json, String source) {
        return new ReferenceCases(map(MiniJson.parse(json, source), source), source);
    }

    // ---- cases -------------------------------------------------------------------------------

    public List<ReferenceCase> all() {
        return List.copyOf(cases.values());
    }

    public Set<String> names() {
        return cases.keySet();
    }

    public ReferenceCase get(String name) {
        ReferenceCase c = cases.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no reference case \"" + name + "\"; known: " + cases.keySet());
        }
        return c;
    }

    public List<ReferenceCase> ofKind(ReferenceCase.Kind kind) {
        return cases.values().stream().filter(c -> c.kind() == kind).toList();
    }

    /** The whole manifest as parsed JSON (maps, lists, strings, Long/Double, Boolean, null). */
    public Map<String, Object> manifest() {
        return manifest;
    }

    /** Channel counts of the small test topology: keys a, b, c, d (standing for 64, 128, 256, 512). */
    public Map<String, Integer> topology() {
        Map<String, Integer> t = new LinkedHashMap<>();
        map(manifest.get("topology"), "topology").forEach((k, v) -> t.put(k, intValue(v, "topology." + k)));
        return Collections.unmodifiableMap(t);
    }

    /** The AdaIN epsilon (added to the variance). */
    public double eps() {
        return number(manifest.get("eps"), "eps").doubleValue();
    }

    public List<ModelInfo> models() {
        return List.copyOf(models.values());
    }

    /** The model entry for a resource path such as {@code "models/encoder_tf2.h5"}. */
    public ModelInfo model(String file) {
        return models.values().stream().filter(m -> m.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model file " + file));
    }

    /** The other file holding the same weights in another Keras layout. */
    public String sameWeightsAs(String file) {
        return models.get(model(file).sameWeightsAs()).file();
    }

    /** Width, height, source photo and channel sums of an image, from {@code images}. */
    public Map<String, Object> imageInfo(String file) {
        for (Object o : map(manifest.get("images"), "images").values()) {
            Map<String, Object> m = map(o, "images entry");
            if (file.equals(m.get("file"))) {
                return m;
            }
        }
        throw new IllegalArgumentException("no image " + file);
    }

    // ---- resources ---------------------------------------------------------------------------

    /** Whether a resource exists under {@link #RESOURCE_ROOT}. */
    public static boolean exists(String relativePath) {
        return ReferenceCases.class.getClassLoader().getResource(RESOURCE_ROOT + relativePath) != null;
    }

    /** Opens a resource under {@link #RESOURCE_ROOT}; the caller closes it. */
    public static InputStream open(String relativePath) throws IOException {
        InputStream in = ReferenceCases.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + relativePath);
        if (in == null) {
            throw new NoSuchFileException("classpath:" + RESOURCE_ROOT + relativePath);
        }
        return in;
    }

    public static byte[] bytes(String relativePath) {
        try (InputStream in = open(relativePath)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads an {@code .npy} resource. */
    public static Npy.Array array(String relativePath) {
        return Npy.read(bytes(relativePath), "classpath:" + RESOURCE_ROOT + relativePath);
    }

    /**
     * Copies a resource (e.g. a model .h5) into {@code directory} (created if needed) under its
     * own file name, replacing an existing file; returns the new file.
     */
    public static Path copyTo(String relativePath, Path directory) {
        String base = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        try (InputStream in = open(relativePath)) {
            Files.createDirectories(directory);
            Path target = directory.resolve(base);
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource to a fresh temporary file (deleted on JVM exit) that keeps its extension. */
    public static Path copyToTemp(String relativePath) {
        String base = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        try (InputStream in = open(relativePath)) {
            Path target = Files.createTempFile("adain-ref-", "-" + base);
            target.toFile().deleteOnExit();
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An 8-bit RGB PNG resource as the oracle sees it: 1 × 3 × H × W, RGB, uint8 / 255. */
    public static Npy.Array imageTensor(String relativePath) {
        Raster r = raster(relativePath, 3);
        int h = r.getHeight();
        int w = r.getWidth();
        double[] data = new double[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    data[(c * h + y) * w + x] = r.getSample(x, y, c) / 255.0;
                }
            }
        }
        return new Npy.Array(new int[] {1, 3, h, w}, data);
    }

    /**
     * Several 8-bit RGB PNG resources of one size stacked into a batch: N × 3 × H × W, uint8 / 255 (sample k =
     * image k).
     */
    public static Npy.Array imageBatch(List<String> relativePaths) {
        if (relativePaths.isEmpty()) {
            throw new IllegalArgumentException("imageBatch: no images");
        }
        int[] shape = null;
        double[] data = null;
        for (int k = 0; k < relativePaths.size(); k++) {
            Npy.Array a = imageTensor(relativePaths.get(k));
            if (shape == null) {
                shape = a.shape().clone();
                shape[0] = relativePaths.size();
                data = new double[a.size() * relativePaths.size()];
            } else if (a.shape()[2] != shape[2] || a.shape()[3] != shape[3]) {
                throw new IllegalArgumentException("imageBatch: " + relativePaths.get(k) + " is " + a.shape()[2] + "×"
                        + a.shape()[3] + ", " + relativePaths.get(0) + " is " + shape[2] + "×" + shape[3]);
            }
            System.arraycopy(a.data(), 0, data, k * a.size(), a.size());
        }
        return new Npy.Array(shape, data);
    }

    /** An 8-bit grey PNG resource (the mask) as H × W values uint8 / 255 (0 or 1 for the mask). */
    public static Npy.Array maskArray(String relativePath) {
        Raster r = raster(relativePath, 1);
        int h = r.getHeight();
        int w = r.getWidth();
        double[] data = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                data[y * w + x] = r.getSample(x, y, 0) / 255.0;
            }
        }
        return new Npy.Array(new int[] {h, w}, data);
    }

    private static Raster raster(String relativePath, int bands) {
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes(relativePath)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String where = "classpath:" + RESOURCE_ROOT + relativePath;
        if (img == null) {
            throw new IllegalArgumentException(where + ": not a readable image");
        }
        if (img.getColorModel() instanceof IndexColorModel) {
            throw new IllegalArgumentException(where + ": palette images are not supported");
        }
        Raster r = img.getRaster();
        // raw samples, no colour-space conversion (BufferedImage.getRGB would alter grey levels)
        if (r.getNumBands() != bands && !(bands == 3 && r.getNumBands() == 4)) {
            throw new IllegalArgumentException(where + ": expected " + bands + " channel(s), found "
                    + r.getNumBands());
        }
        for (int b = 0; b < bands; b++) {
            if (r.getSampleModel().getSampleSize(b) != 8) {
                throw new IllegalArgumentException(where + ": expected 8-bit samples");
            }
        }
        return r;
    }

    // ---- JSON value helpers (package-private, shared with ReferenceCase) ---------------------

    private static ReferenceCase parseCase(Map<String, Object> m, String source) {
        String name = string(m.get("name"), source + " case.name");
        String where = source + " case " + name;
        List<ExpectedArray> exp = new ArrayList<>();
        for (Object o : list(m.get("expected"), where + ".expected")) {
            Map<String, Object> e = map(o, where + ".expected[]");
            String en = string(e.get("name"), where + ".expected[].name");
            String ew = where + ".expected." + en;
            exp.add(new ExpectedArray(en, string(e.get("file"), ew + ".file"), intArray(e.get("shape"), ew + ".shape"),
                    number(e.get("max_abs"), ew + ".max_abs").doubleValue(),
                    number(e.get("float32_error"), ew + ".float32_error").doubleValue(),
                    number(e.get("tolerance"), ew + ".tolerance").doubleValue()));
        }
        Object ee = m.getOrDefault("expect_error", Boolean.FALSE);
        if (!(ee instanceof Boolean expectError)) {
            throw new IllegalArgumentException(where + ".expect_error: expected a boolean");
        }
        if (exp.isEmpty() && !expectError) {
            throw new IllegalArgumentException(where + ": no expected arrays");
        }
        if (!exp.isEmpty() && expectError) {
            throw new IllegalArgumentException(where + ": an expect_error case must have no expected arrays");
        }
        return new ReferenceCase(name, ReferenceCase.Kind.of(string(m.get("kind"), where + ".kind"), where),
                string(m.get("description"), where + ".description"), map(m.get("inputs"), where + ".inputs"),
                map(m.get("parameters"), where + ".parameters"), exp,
                number(m.get("tolerance"), where + ".tolerance").doubleValue(),
                number(m.get("float32_error"), where + ".float32_error").doubleValue(), expectError);
    }

    static Map<String, Object> map(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put((String) k, v));
        return Collections.unmodifiableMap(out);
    }

    static List<Object> list(Object o, String where) {
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(where + ": expected a JSON array");
        }
        return Collections.unmodifiableList(new ArrayList<Object>(l));
    }

    static String string(Object o, String where) {
        if (!(o instanceof String s)) {
            throw new IllegalArgumentException(where + ": expected a string");
        }
        return s;
    }

    static Number number(Object o, String where) {
        if (!(o instanceof Number n)) {
            throw new IllegalArgumentException(where + ": expected a number");
        }
        return n;
    }

    static int intValue(Object o, String where) {
        if (!(o instanceof Long l) || l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(where + ": expected an integer");
        }
        return (int) (long) l;
    }

    static int[] intArray(Object o, String where) {
        List<Object> l = list(o, where);
        int[] a = new int[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = intValue(l.get(i), where + "[" + i + "]");
        }
        return a;
    }

    static List<Double> doubleList(Object o, String where) {
        List<Double> out = new ArrayList<>();
        for (Object v : list(o, where)) {
            out.add(number(v, where).doubleValue());
        }
        return List.copyOf(out);
    }

    static List<String> stringList(Object o, String where) {
        List<String> out = new ArrayList<>();
        for (Object v : list(o, where)) {
            out.add(string(v, where));
        }
        return List.copyOf(out);
    }
}
