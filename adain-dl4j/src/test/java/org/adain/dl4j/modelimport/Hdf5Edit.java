package org.adain.dl4j.modelimport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.adain.testkit.reference.ReferenceCases;
import org.bytedeco.hdf5.Attribute;
import org.bytedeco.hdf5.DataSet;
import org.bytedeco.hdf5.DataSpace;
import org.bytedeco.hdf5.Group;
import org.bytedeco.hdf5.H5File;
import org.bytedeco.hdf5.PredType;
import org.bytedeco.hdf5.StrType;
import org.bytedeco.hdf5.global.hdf5;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.modelimport.keras.Hdf5Archive;
import org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.databind.ObjectMapper;
import org.nd4j.shade.jackson.databind.node.ArrayNode;
import org.nd4j.shade.jackson.databind.node.ObjectNode;

/**
 * Test fixtures and in-place edits of copies of them, so each bad-input test makes exactly the corruption it
 * names from a real fixture. Reads for comparisons go through DL4J's {@link Hdf5Archive}, a code path
 * independent of the reader's own HDF5 access.
 */
final class Hdf5Edit {
    /** The testkit's reference models, copied from its jar on first use (native HDF5 reads real files only). */
    private static Path models;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Hdf5Edit() {
    }

    static synchronized Path fixture(String name) {
        try {
            if (models == null) {
                models = Files.createTempDirectory("adain-models");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path p = models.resolve(name);
        return Files.isRegularFile(p) ? p : ReferenceCases.copyTo("models/" + name, models);
    }

    static Path copy(String fixture, Path dir, String newName) {
        try {
            return Files.copy(fixture(fixture), dir.resolve(newName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites the root model_config JSON, keeping its string layout (variable- or fixed-length). */
    static void editModelConfig(Path file, Consumer<ObjectNode> edit) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            String json;
            try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
                json = archive.readAttributeAsJson("model_config");
            } catch (UnsupportedKerasConfigurationException e) {
                throw new IllegalStateException(e);
            }
            ObjectNode root;
            try {
                root = (ObjectNode) JSON.readTree(json);
                edit.accept(root);
                json = JSON.writeValueAsString(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDWR())) {
                boolean variable;
                try (Attribute old = f.openAttribute("model_config"); StrType t = old.getStrType()) {
                    variable = t.isVariableStr();
                }
                f.removeAttr("model_config");
                try (StrType type = new StrType(PredType.C_S1(), variable ? hdf5.H5T_VARIABLE : bytes.length);
                        DataSpace scalar = new DataSpace(hdf5.H5S_SCALAR)) {
                    if (!variable) {
                        type.setStrpad(hdf5.H5T_STR_NULLPAD); // as numpy's fixed-length bytes
                    }
                    try (Attribute attr = f.createAttribute("model_config", type, scalar)) {
                        attr.write(type, json);
                    }
                }
            }
        }
    }

    /** The layer list of a model config, for edits. */
    static ArrayNode layers(ObjectNode modelConfig) {
        return (ArrayNode) modelConfig.get("config").get("layers");
    }

    /** The config object of the layer with this name. */
    static ObjectNode layerConfig(ObjectNode modelConfig, String name) {
        for (var l : layers(modelConfig)) {
            if (l.get("name").asText().equals(name)) {
                return (ObjectNode) l.get("config");
            }
        }
        throw new IllegalArgumentException("No layer " + name);
    }

    /** Changes values of a float dataset in place (same shape). */
    static void editFloats(Path file, String dataset, Consumer<float[]> edit) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDWR());
                    DataSet ds = f.openDataSet(dataset);
                    DataSpace space = ds.getSpace()) {
                int n = (int) space.getSimpleExtentNpoints();
                float[] values = new float[n];
                try (FloatPointer buf = new FloatPointer(n)) {
                    ds.read(buf, PredType.NATIVE_FLOAT());
                    buf.get(values);
                    edit.accept(values);
                    buf.put(values);
                    ds.write(buf, PredType.NATIVE_FLOAT());
                }
            }
        }
    }

    /** Replaces a dataset by one of another shape. */
    static void replaceFloats(Path file, String dataset, long[] shape, float[] values) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDWR())) {
                f.unlink(dataset);
                try (DataSpace space = new DataSpace(shape.length, shape);
                        DataSet ds = f.createDataSet(dataset, PredType.IEEE_F32LE(), space);
                        FloatPointer buf = new FloatPointer(values)) {
                    ds.write(buf, PredType.NATIVE_FLOAT());
                }
            }
        }
    }

    /** Deletes a dataset (the weight_names attribute still lists it). */
    static void deleteDataset(Path file, String dataset) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDWR())) {
                f.unlink(dataset);
            }
        }
    }

    /** Writes a fixed-length string-array attribute (numpy 'S' layout), replacing any old one. */
    static void writeStringArrayAttribute(Path file, String groupPath, String name, List<String> values) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            int size = values.stream().mapToInt(v -> v.getBytes(StandardCharsets.UTF_8).length).max().orElse(1);
            byte[] all = new byte[size * values.size()];
            for (int i = 0; i < values.size(); i++) {
                byte[] b = values.get(i).getBytes(StandardCharsets.UTF_8);
                System.arraycopy(b, 0, all, i * size, b.length);
            }
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_RDWR());
                    Group g = f.openGroup(groupPath)) {
                if (g.attrExists(name)) {
                    g.removeAttr(name);
                }
                try (StrType type = new StrType(PredType.C_S1(), size);
                        DataSpace space = new DataSpace(1, new long[] {values.size()});
                        BytePointer buf = new BytePointer(all.length)) {
                    type.setStrpad(hdf5.H5T_STR_NULLPAD);
                    buf.put(all);
                    try (Attribute attr = g.createAttribute(name, type, space)) {
                        attr.write(type, (Pointer) buf);
                    }
                }
            }
        }
    }

    /** An empty HDF5 file: valid HDF5, but not a Keras file. */
    static void createEmptyHdf5(Path file) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (H5File f = new H5File(file.toString(), hdf5.H5F_ACC_TRUNC())) {
                f.createGroup("something").close();
            }
        }
    }

    /** A dataset as DL4J's Hdf5Archive reads it: {@code groups} then the dataset's own name. */
    static INDArray rawDataset(Path file, String dataset, String... groups) {
        synchronized (Hdf5Archive.LOCK_OBJECT) {
            try (Hdf5Archive archive = new Hdf5Archive(file.toString())) {
                return archive.readDataSet(dataset, groups);
            } catch (UnsupportedKerasConfigurationException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
