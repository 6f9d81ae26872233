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
    /** The manifest's file name under {@link #RESOURCE_ROOT}. */
    public static final String MANIFEST = "cases.json";

    /**
     * A model file of the manifest.
     *
     * @param id           its key in {@code models}
     * @param file         resource path relative to {@link #RESOURCE_ROOT}, e.g. {@code "models/encoder_tf2.h5"}
     * @param role         {@code "normalised encoder"}, {@code "decoder"}, {@code "keras-applications VGG19 notop"}
     * @param layout       which Keras writer's layout it mimics (versions, string types, layer names)
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

    /**
     * Loads the manifest from the classpath, once per class loader; later calls return the same instance.
     *
     * @return the parsed cases, models and images
     * @throws java.io.UncheckedIOException the manifest is not on the class path
     * @throws IllegalArgumentException     the manifest is malformed (the message names the entry)
     */
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

    /** Parses a manifest text (package-private for the parser's tests; users call {@link #load()}). */
    static ReferenceCases parse(String json, String source) {
        return new ReferenceCases(map(MiniJson.parse(json, source), source), source);
    }

    // ---- cases -------------------------------------------------------------------------------

    /**
     * Every case.
     *
     * @return the cases in manifest order
     */
    public List<ReferenceCase> all() {
        return List.copyOf(cases.values());
    }

    /**
     * The names of the cases.
     *
     * @return the names in manifest order, unmodifiable
     */
    public Set<String> names() {
        return cases.keySet();
    }

    /**
     * One case by name.
     *
     * @param name the case's name, e.g. {@code "mask_2region"}
     * @return the case
     * @throws IllegalArgumentException there is no such case (the message lists the known ones)
     */
    public ReferenceCase get(String name) {
        ReferenceCase c = cases.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no reference case \"" + name + "\"; known: " + cases.keySet());
        }
        return c;
    }

    /**
     * The cases of one kind, of either semantics, e.g. all TRANSFER cases for one parameterised test.
     *
     * @param kind what the cases exercise
     * @return those cases in manifest order, possibly none
     */
    public List<ReferenceCase> ofKind(ReferenceCase.Kind kind) {
        return cases.values().stream().filter(c -> c.kind() == kind).toList();
    }

    /**
     * The cases of one kind and semantics, e.g. the Torch7 AdaIN cases.
     *
     * @param kind      what the cases exercise
     * @param semantics whose numerics they follow ({@link ReferenceCase#semantics()})
     * @return those cases in manifest order, possibly none
     */
    public List<ReferenceCase> ofKind(ReferenceCase.Kind kind, org.adain.Semantics semantics) {
        return cases.values().stream().filter(c -> c.kind() == kind && c.semantics() == semantics).toList();
    }

    /**
     * The whole manifest, for entries no typed getter covers (e.g. {@code conventions}, {@code generator}).
     *
     * @return the parsed JSON: maps, lists, strings, Long/Double, Boolean and null; unmodifiable
     */
    public Map<String, Object> manifest() {
        return manifest;
    }

    /**
     * Channel counts of the small test topology.
     *
     * @return keys a, b, c, d (standing for 64, 128, 256, 512) with their counts (8, 12, 16, 24), unmodifiable
     * @throws IllegalArgumentException the manifest's {@code topology} is malformed
     */
    public Map<String, Integer> topology() {
        Map<String, Integer> t = new LinkedHashMap<>();
        map(manifest.get("topology"), "topology").forEach((k, v) -> t.put(k, intValue(v, "topology." + k)));
        return Collections.unmodifiableMap(t);
    }

    /**
     * The AdaIN epsilon the oracle used.
     *
     * @return 1e-5, added to the unbiased variance inside the square root
     */
    public double eps() {
        return number(manifest.get("eps"), "eps").doubleValue();
    }

    /**
     * Every model file of the manifest.
     *
     * @return the models in manifest order
     */
    public List<ModelInfo> models() {
        return List.copyOf(models.values());
    }

    /**
     * The model entry of a file.
     *
     * @param file a resource path such as {@code "models/encoder_tf2.h5"}, as {@link ReferenceCase#encoder()} gives
     * @return its entry
     * @throws IllegalArgumentException no model has that file
     */
    public ModelInfo model(String file) {
        return models.values().stream().filter(m -> m.file().equals(file)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no model file " + file));
    }

    /**
     * The twin of a model file: the same weights in another Keras layout, so a reader can be checked on both.
     *
     * @param file a resource path such as {@code "models/encoder_tf2.h5"}
     * @return the twin's resource path, e.g. {@code "models/encoder_keras23.h5"}
     * @throws IllegalArgumentException no model has that file
     */
    public String sameWeightsAs(String file) {
        return models.get(model(file).sameWeightsAs()).file();
    }

    /**
     * What the manifest records about an input image, e.g. to check a PNG decoder.
     *
     * @param file a resource path such as {@code "images/content_48x64.png"}
     * @return its entry: {@code file}, {@code width}, {@code height}, {@code mode}, {@code source} (the photo it was
     *         cut from) and {@code channel_sums} (the sum of each channel's 8-bit values)
     * @throws IllegalArgumentException the manifest has no such image
     */
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

    /**
     * Whether a resource exists under {@link #RESOURCE_ROOT}.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}
     * @return true when the class path holds it
     */
    public static boolean exists(String relativePath) {
        return ReferenceCases.class.getClassLoader().getResource(RESOURCE_ROOT + relativePath) != null;
    }

    /**
     * Opens a resource under {@link #RESOURCE_ROOT}.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}
     * @return a stream of its bytes; the caller closes it
     * @throws IOException the resource does not exist ({@link java.nio.file.NoSuchFileException} naming it)
     */
    public static InputStream open(String relativePath) throws IOException {
        InputStream in = ReferenceCases.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + relativePath);
        if (in == null) {
            throw new NoSuchFileException("classpath:" + RESOURCE_ROOT + relativePath);
        }
        return in;
    }

    /**
     * Reads a resource under {@link #RESOURCE_ROOT} into memory.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}
     * @return its bytes
     * @throws UncheckedIOException the resource does not exist or cannot be read
     */
    public static byte[] bytes(String relativePath) {
        try (InputStream in = open(relativePath)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads an {@code .npy} resource, e.g. an expected array or an input tensor.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}, e.g. {@code "cases/alpha_1/output.npy"}
     * @return the values as float64 in C order
     * @throws UncheckedIOException     the resource does not exist or cannot be read
     * @throws IllegalArgumentException the resource is not a valid {@code .npy} file (see {@link Npy})
     */
    public static Npy.Array array(String relativePath) {
        return Npy.read(bytes(relativePath), "classpath:" + RESOURCE_ROOT + relativePath);
    }

    /**
     * Copies a resource into a directory under its own file name, for readers that need a real file (native HDF5).
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}, e.g. a model {@code .h5}
     * @param directory    where to copy it, created if needed (e.g. a JUnit {@code @TempDir})
     * @return the new file, {@code directory/<file name>}; an existing file of that name is replaced
     * @throws UncheckedIOException the resource does not exist, or the file cannot be written
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

    /**
     * Copies a resource to a fresh temporary file, for callers without a directory of their own.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}
     * @return the new file in the default temporary directory, named after the resource (so it keeps its
     *         extension) and deleted when the JVM exits
     * @throws UncheckedIOException the resource does not exist, or the file cannot be written
     */
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

    /**
     * An 8-bit RGB PNG resource as the oracle sees it: raw samples, no colour-space conversion.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}, e.g. {@link ReferenceCase#content()}
     * @return {@code 1×3×H×W}, RGB, uint8 / 255 (an alpha channel is ignored)
     * @throws UncheckedIOException     the resource does not exist or cannot be read
     * @throws IllegalArgumentException the resource is not an 8-bit RGB(A) image (palette images included)
     */
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
     * Several 8-bit RGB PNG resources of one size stacked into a batch.
     *
     * @param relativePaths the paths relative to {@link #RESOURCE_ROOT}, at least one, all of one size
     * @return {@code N×3×H×W}, uint8 / 255, sample k = image k
     * @throws UncheckedIOException     a resource does not exist or cannot be read
     * @throws IllegalArgumentException the list is empty, the sizes differ, or an image is not 8-bit RGB(A)
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

    /**
     * An 8-bit grey PNG resource, such as {@link ReferenceCase#mask()}.
     *
     * @param relativePath the path relative to {@link #RESOURCE_ROOT}
     * @return {@code H×W} values uint8 / 255: 0 or 1 for the mask
     * @throws UncheckedIOException     the resource does not exist or cannot be read
     * @throws IllegalArgumentException the resource is not an 8-bit single-channel image
     */
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
