package org.adain.dl4j.modelimport;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.adain.ImageTensor;
import org.adain.Images;
import org.adain.StyleRequest;
import org.adain.StyleTransfer;
import org.adain.format.KerasHdf5WeightsWriter;
import org.adain.format.PyTorchWeightsReader;
import org.adain.format.Torch7WeightsReader;
import org.adain.format.WeightFormats;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;
import org.adain.testkit.formats.FormatFixtures;
import org.adain.testkit.reference.ReferenceCases;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DSetCreatPropList;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.DataType;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.H5Object;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.global.hdf5;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * adain-api's pure-Java {@link KerasHdf5WeightsWriter} against native HDF5 and DL4J's Keras import: every Keras
 * fixture of the testkit (and the .pth/.t7 fixtures) read with {@link KerasHdf5WeightsReader}, written by it and
 * read back gives bit-identical weights; its files hold exactly what the native {@link KerasHdf5Writer} writes
 * (every group, dataset, attribute and value; only the string storage differs: fixed-length instead of
 * variable-length); and the rewritten models stylise to identical floats.
 */
class PureJavaKerasWriterParityTest {
    private static final String MODELS = "org/adain/testkit/reference/models/";
    /** Every .h5 model of the testkit; {@link #theFixtureListIsComplete} keeps it so. */
    private static final List<String> FIXTURES = List.of("encoder_tf2.h5", "encoder_keras23.h5", "decoder_tf2.h5",
            "decoder_keras23.h5", "vgg19_notop.h5", "vgg19_notop_keras2.h5");

    private final KerasHdf5WeightsReader keras = new KerasHdf5WeightsReader();
    private final KerasHdf5WeightsWriter pureJava = new KerasHdf5WeightsWriter();

    @TempDir
    Path dir;

    /** The weights of a fixture: a decoder when its file name says so, else an encoder. */
    private record Model(EncoderWeights encoder, DecoderWeights decoder) {
        static Model read(WeightsReader reader, Path file) {
            boolean decoder = file.getFileName().toString().startsWith("decoder");
            return decoder ? new Model(null, reader.readDecoder(file)) : new Model(reader.readEncoder(file), null);
        }

        /** Reads {@code file} in this model's role. */
        Model readBack(WeightsReader reader, Path file) {
            return decoder != null ? new Model(null, reader.readDecoder(file)) : new Model(reader.readEncoder(file),
                    null);
        }

        void write(org.adain.spi.WeightsWriter writer, Path target) {
            if (encoder != null) {
                writer.writeEncoder(encoder, target);
            } else {
                writer.writeDecoder(decoder, target);
            }
        }

        List<ConvLayer> convs() {
            List<ConvLayer> l = new ArrayList<>();
            if (encoder != null) {
                if (encoder.preprocess() != null) {
                    l.add(encoder.preprocess());
                }
                l.addAll(encoder.convs());
            } else {
                l.addAll(decoder.convs());
            }
            return l;
        }
    }

    private static void assertBitIdentical(List<ConvLayer> actual, List<ConvLayer> expected, String what) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).shapeString()).as(what + " layer " + i).isEqualTo(expected.get(i).shapeString());
            assertThat(bits(actual.get(i).kernelOihw())).as(what + " kernel " + i)
                    .isEqualTo(bits(expected.get(i).kernelOihw()));
            assertThat(bits(actual.get(i).bias())).as(what + " bias " + i).isEqualTo(bits(expected.get(i).bias()));
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void theFixtureListIsComplete() throws Exception {
        URI uri = ReferenceCases.class.getClassLoader().getResource(MODELS).toURI();
        TreeSet<String> found = new TreeSet<>();
        if (uri.getScheme().equals("jar")) {
            try (FileSystem jar = FileSystems.newFileSystem(uri, Map.of());
                    Stream<Path> s = Files.list(jar.getPath(MODELS))) {
                s.forEach(p -> found.add(p.getFileName().toString()));
            }
        } else {
            try (Stream<Path> s = Files.list(Path.of(uri))) {
                s.forEach(p -> found.add(p.getFileName().toString()));
            }
        }
        assertThat(found.stream().filter(n -> n.endsWith(".h5"))).containsExactlyInAnyOrderElementsOf(FIXTURES);
    }

    @Test
    void everyKerasFixtureRoundTripsBitForBit() throws Exception {
        for (String name : FIXTURES) {
            Path original = ReferenceCases.copyTo("models/" + name, dir.resolve("in"));
            Model m = Model.read(keras, original);
            Path rewritten = dir.resolve("out").resolve(name);
            Files.createDirectories(rewritten.getParent());
            m.write(pureJava, rewritten);
            Model back = m.readBack(keras, rewritten);
            assertBitIdentical(back.convs(), m.convs(), name + " rewritten");
            if (m.encoder() != null) {
                assertThat(back.encoder().kind()).as(name).isEqualTo(m.encoder().kind());
            }
            // and what is read back writes the same bytes again
            Path again = dir.resolve("again-" + name);
            back.write(pureJava, again);
            assertThat(Files.readAllBytes(again)).as(name + " written twice").isEqualTo(Files.readAllBytes(rewritten));
        }
    }

    @Test
    void pthAndT7FixturesConvertToKerasFilesOfTheSameWeights() {
        PyTorchWeightsReader pth = new PyTorchWeightsReader();
        Torch7WeightsReader t7 = new Torch7WeightsReader();
        Map<String, WeightsReader> inputs = new TreeMap<>(Map.of(FormatFixtures.ZIP_ENCODER, pth,
                FormatFixtures.ZIP_DECODER, pth, FormatFixtures.LEGACY_ENCODER, pth, FormatFixtures.LEGACY_DECODER, pth,
                FormatFixtures.T7_ENCODER, t7, FormatFixtures.T7_ENCODER_2D, t7, FormatFixtures.T7_DECODER, t7));
        for (Map.Entry<String, WeightsReader> in : inputs.entrySet()) {
            Path file = FormatFixtures.copyTo(in.getKey(), dir.resolve("formats"));
            Model m = Model.read(in.getValue(), file);
            Path h5 = dir.resolve(in.getKey().replace('/', '_') + ".h5");
            m.write(pureJava, h5);
            assertBitIdentical(m.readBack(keras, h5).convs(), m.convs(), in.getKey() + " → .h5");
        }
    }

    // ---- the same file as the native writer's ------------------------------------------------------

    /**
     * Everything native HDF5 sees in a file, path → description: groups with their member count, attributes with
     * type class, shape and values, datasets with type, layout, shape and values.
     */
    private static Map<String, String> contents(Path file) {
        Map<String, String> out = new TreeMap<>();
        synchronized (Hdf5Access.lock()) {
            try (Hdf5Access h5 = Hdf5Access.open(file, file.getFileName().toString());
                    H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDONLY())) {
                walk(f, "", h5, out);
            }
        }
        return out;
    }

    private static void walk(Group g, String path, Hdf5Access h5, Map<String, String> out) {
        attributes(g, path, h5, out);
        long n = g.getNumObjs();
        out.put(path + "/", "group of " + n);
        for (long i = 0; i < n; i++) {
            String name = g.getObjnameByIdx(i).getString();
            String child = path + "/" + name;
            int type = g.childObjType(name);
            if (type == hdf5.H5O_TYPE_GROUP) {
                try (Group c = g.openGroup(name)) {
                    walk(c, child, h5, out);
                }
            } else {
                assertThat(type).as(child).isEqualTo(hdf5.H5O_TYPE_DATASET);
                try (DataSet ds = g.openDataSet(name); DataType t = ds.asAbstractDs().getDataType();
                        DSetCreatPropList plist = ds.getCreatePlist()) {
                    assertThat(ds.getNumAttrs()).as(child + " attributes").isZero();
                    Hdf5Access.FloatData d = h5.readFloats(child.substring(1));
                    out.put(child, "dataset " + (t.equals(PredType.IEEE_F32LE()) ? "<f4" : "other type")
                            + (plist.getLayout() == hdf5.H5D_CONTIGUOUS ? " contiguous " : " other ")
                            + d.shapeString() + " " + Arrays.toString(bits(d.data())));
                }
            }
        }
    }

    private static void attributes(H5Object o, String path, Hdf5Access h5, Map<String, String> out) {
        for (int i = 0; i < o.getNumAttrs(); i++) {
            try (Attribute a = o.openAttribute(i); DataSpace space = a.getSpace(); DataType t = a.getDataType()) {
                String name = a.getName().getString();
                int rank = space.getSimpleExtentNdims();
                long[] dims = new long[rank];
                if (rank > 0) {
                    space.getSimpleExtentDims(dims);
                }
                String cls = a.getTypeClass() == hdf5.H5T_STRING ? "string" : a.getTypeClass() == hdf5.H5T_FLOAT
                        ? "float" + 8 * t.getSize() : "other";
                out.put(path + "@" + name, cls + " " + Arrays.toString(dims) + " "
                        + h5.readStringArrayAttribute(path.isEmpty() ? "/" : path.substring(1), name));
            }
        }
    }

    /** Every string attribute of the file: whether it is variable-length, by path@name. */
    private static Map<String, Boolean> stringStorage(Path file) {
        Map<String, Boolean> out = new TreeMap<>();
        synchronized (Hdf5Access.lock()) {
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDONLY())) {
                collectStrings(f, "", out);
            }
        }
        return out;
    }

    private static void collectStrings(Group g, String path, Map<String, Boolean> out) {
        for (int i = 0; i < g.getNumAttrs(); i++) {
            try (Attribute a = g.openAttribute(i); DataType t = a.getDataType()) {
                if (a.getTypeClass() == hdf5.H5T_STRING) {
                    out.put(path + "@" + a.getName().getString(), t.isVariableStr());
                }
            }
        }
        for (long i = 0; i < g.getNumObjs(); i++) {
            String name = g.getObjnameByIdx(i).getString();
            if (g.childObjType(name) == hdf5.H5O_TYPE_GROUP) {
                try (Group c = g.openGroup(name)) {
                    collectStrings(c, path + "/" + name, out);
                }
            }
        }
    }

    @Test
    void writesWhatTheNativeWriterWritesWithFixedLengthStrings() throws Exception {
        for (String name : FIXTURES) {
            Model m = Model.read(keras, ReferenceCases.copyTo("models/" + name, dir.resolve("in")));
            Path nativeFile = dir.resolve("native-" + name);
            Path javaFile = dir.resolve("java-" + name);
            m.write(new KerasHdf5Writer(), nativeFile);
            m.write(pureJava, javaFile);
            Map<String, String> expected = contents(nativeFile);
            Map<String, String> actual = contents(javaFile);
            assertThat(expected).as(name).containsKey("@keras_version").hasSizeGreaterThan(40);
            assertThat(actual.keySet()).as(name).isEqualTo(expected.keySet());
            for (String key : expected.keySet()) {
                assertThat(actual.get(key)).as(name + " " + key).isEqualTo(expected.get(key));
            }

            Map<String, Boolean> nativeStrings = stringStorage(nativeFile);
            Map<String, Boolean> javaStrings = stringStorage(javaFile);
            assertThat(javaStrings.keySet()).as(name).isEqualTo(nativeStrings.keySet());
            assertThat(nativeStrings.values()).as(name + ": native strings are variable-length").containsOnly(true);
            assertThat(javaStrings.values()).as(name + ": pure-Java strings are fixed-length").containsOnly(false);
        }
    }

    // ---- stylisation -------------------------------------------------------------------------------

    private static float[] stylize(Path encoder, Path decoder, BufferedImage content, BufferedImage style) {
        try (StyleTransfer st = StyleTransfer.builder().encoder(encoder).decoder(decoder).build()) {
            ImageTensor out = st.stylizeTensor(StyleRequest.builder().content(content).style(style).alpha(0.8)
                    .contentSize(0).styleSize(0).build());
            return out.toArray();
        }
    }

    @Test
    void rewrittenModelsStylizeToIdenticalFloats() {
        BufferedImage content = Images.read(ReferenceCases.copyTo("images/content_45x70.png", dir.resolve("img")));
        BufferedImage style = Images.read(ReferenceCases.copyTo("images/style_1.png", dir.resolve("img")));
        // the decoder takes the 24 relu4_1 channels of every encoder fixture, the notop ones included
        String[][] pairs = {{"encoder_tf2.h5", "decoder_tf2.h5"}, {"encoder_keras23.h5", "decoder_keras23.h5"},
            {"vgg19_notop.h5", "decoder_tf2.h5"}, {"vgg19_notop_keras2.h5", "decoder_keras23.h5"}};
        for (String[] pair : pairs) {
            Path[] original = new Path[2];
            Path[] rewritten = new Path[2];
            for (int i = 0; i < 2; i++) {
                original[i] = ReferenceCases.copyTo("models/" + pair[i], dir.resolve("in"));
                rewritten[i] = dir.resolve("rewritten").resolve(pair[i]);
                rewritten[i].toFile().getParentFile().mkdirs();
                Model.read(keras, original[i]).write(pureJava, rewritten[i]);
            }
            float[] want = stylize(original[0], original[1], content, style);
            assertThat(want).as(Arrays.toString(pair)).hasSize(3 * 45 * 70);
            assertThat(stylize(rewritten[0], rewritten[1], content, style)).as(Arrays.toString(pair))
                    .isEqualTo(want);
        }
    }

    @Test
    void thePureJavaWriterIsTheOneRegistered() {
        // The native writer is a test-only oracle now: adain-dl4j registers no .h5 writer of its own.
        ClassLoader loader = getClass().getClassLoader();
        assertThat(WeightFormats.writers(loader)).noneMatch(w -> w instanceof KerasHdf5Writer);
        assertThat(WeightFormats.writerFor(dir.resolve("x.h5"), loader)).isInstanceOf(KerasHdf5WeightsWriter.class);
        assertThat(WeightFormats.writerFor(dir.resolve("x.hdf5"), loader)).isInstanceOf(KerasHdf5WeightsWriter.class);
    }
}
