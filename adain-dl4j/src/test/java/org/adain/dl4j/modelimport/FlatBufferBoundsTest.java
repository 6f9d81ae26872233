package org.adain.dl4j.modelimport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.adain.ModelException;
import org.adain.dl4j.TestNets;
import org.adain.spi.ConvLayer;
import org.adain.spi.DecoderWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.graph.FlatArray;
import org.nd4j.graph.FlatGraph;
import org.nd4j.graph.FlatVariable;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shape info of every array in a {@code .fb} file is checked before ND4J builds an array from it: a decoder
 * written by {@link SameDiffWeightsWriter} has one value of one array's shape info patched (rank, a size, a stride,
 * the order, the extras), and {@link FlatBufferBounds} must refuse it naming the variable, the field and the value.
 * The patched files are checked by {@link FlatBufferBounds} directly (plain Java): a check that let one through
 * would otherwise crash this JVM in ND4J's native code; {@link SameDiffMutationTest} reads the fuzz corpus through
 * the whole reader in a child JVM.
 */
class FlatBufferBoundsTest {
    /** The committed fuzz finding: garbage strides, extras, ews and order in {@code conv1_kernel}. */
    static final Path FINDING = Path.of("src/test/resources/org/adain/dl4j/modelimport/SameDiffFuzzTestInputs/fb/"
            + "conv_kernel_strides_out_of_bounds");

    // shape info of conv1_kernel, [3, 3, 8, 8] float: rank, 4 sizes, 4 strides, extras, ews, order
    private static final String KERNEL = "conv1_kernel";
    private static final int RANK = 0;
    private static final int SIZE0 = 1;
    private static final int STRIDE0 = 5;
    private static final int EXTRAS = 9;
    private static final int ORDER = 11;

    @TempDir
    static Path dir;

    private static final DecoderWeights DECODER = TestNets.decoder(4, 6, 8, 10, 7);
    private static byte[] fixture;

    @BeforeAll
    static void write() throws IOException {
        Path f = dir.resolve("decoder.fb");
        new SameDiffWeightsWriter().writeDecoder(DECODER, f);
        fixture = Files.readAllBytes(f);
        assertThat(shapeInfo(fixture, KERNEL)).as("the fixture's %s", KERNEL)
                .containsExactly(4, 3, 3, 8, 8, 192, 64, 8, 1, 8192, 1, 'c');
    }

    @Test
    void theWrittenFilePassesAndReadsBackTheSameWeights() {
        assertThatCode(() -> FlatBufferBounds.check(fixture, "decoder.fb")).doesNotThrowAnyException();
        sameWeights(new SameDiffWeightsReader().readDecoder(dir.resolve("decoder.fb")));
    }

    @Test
    void fOrderKernelsStillReadBackTheSameWeights() {
        // a dense layout other than c: ND4J writes the f strides and the data in f order, and reads them back
        SameDiff sd = SameDiffDecoderGraph.build(DECODER);
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            INDArray k = sd.getArrForVarName(SameDiffDecoderGraph.kernelName(i));
            sd.getVariable(SameDiffDecoderGraph.kernelName(i)).setArray(k.dup('f'));
        }
        Path f = dir.resolve("forder.fb");
        sd.save(f.toFile(), false);
        byte[] bytes = readAll(f);
        assertThat(shapeInfo(bytes, KERNEL)).as("written in f order").containsExactly(4, 3, 3, 8, 8, 1, 3, 9, 72,
                8192, 1, 'f');
        assertThatCode(() -> FlatBufferBounds.check(bytes, "forder.fb")).doesNotThrowAnyException();
        sameWeights(new SameDiffWeightsReader().readDecoder(f));
    }

    @Test
    void aStrideReachingPastTheArrayIsRefused() {
        refused(patched(KERNEL, STRIDE0 + 2, 6989586621679009800L), "shape info stride[2] is 6989586621679009800: "
                + "along the dimension of size 8 it would address an element past the range of a long, but the array "
                + "has 576");
        refused(patched(KERNEL, STRIDE0, 288), "shape info stride[0] is 288: along the dimension of size 3 it would "
                + "address element 576, but the array has 576");
        refused(patched(KERNEL, STRIDE0 + 3, 0), "shape info stride[3] is 0 for a dimension of size 8 (at least 1 "
                + "expected)");
        refused(patched(KERNEL, STRIDE0 + 1, -64), "shape info stride[1] is -64");
    }

    @Test
    void stridesInsideTheArrayThatOverlapAreRefused() {
        // every stride alone stays inside the 576 elements, but 193 skips one: gaps, and the last elements unread
        refused(patched(KERNEL, STRIDE0, 193), "shape info strides [193, 64, 8, 1] of sizes [3, 3, 8, 8] make "
                + "elements overlap or leave gaps (stride[0] is 193, 192 expected");
        refused(patched(KERNEL, STRIDE0 + 2, 1), "shape info strides [192, 64, 1, 1] of sizes [3, 3, 8, 8] make "
                + "elements overlap");
    }

    @Test
    void aBadSizeIsRefused() {
        refused(patched(KERNEL, SIZE0, -3), "shape info size[0] is -3");
        refused(patched(KERNEL, SIZE0 + 1, 4), "buffer holds 2304 bytes, but sizes [3, 4, 8, 8] of FLOAT need 3072 "
                + "bytes");
        refused(patched(KERNEL, SIZE0 + 3, 1L << 62), "shape info sizes [3, 3, 8, 4611686018427387904] overflow a "
                + "long");
    }

    @Test
    void aBadRankIsRefused() {
        refused(patched(KERNEL, RANK, 3), "shape info of rank 3 has 12 values, not 10");
        refused(patched(KERNEL, RANK, 33), "shape info rank 33 is outside 0..32");
        refused(patched(KERNEL, RANK, -1), "shape info rank -1 is outside 0..32");
    }

    @Test
    void aBadOrderOrEmptyFlagIsRefused() {
        refused(patched(KERNEL, ORDER, 'C'), "shape info order 67 is neither 99 ('c') nor 102 ('f')");
        // the "empty" flag makes ND4J ignore the buffer and allocate the shape
        refused(patched(KERNEL, EXTRAS, 8192 | 8), "shape info extras 8200 mark the array empty, but its sizes "
                + "[3, 3, 8, 8] hold 576 elements");
    }

    @Test
    void theFuzzFindingIsRefusedByItsStrides() throws IOException {
        assertThat(shapeInfo(Files.readAllBytes(FINDING), KERNEL)).startsWith(4, 3, 3, 8, 8, 192, 64,
                6989586621679009800L);
        assertThatThrownBy(() -> FlatBufferBounds.check(Files.readAllBytes(FINDING), "finding.fb"))
                .isInstanceOf(ModelException.class)
                .hasMessage("finding.fb: not a readable SameDiff FlatBuffers file (truncated or corrupt: variable "
                        + "'conv1_kernel': shape info stride[2] is 6989586621679009800: along the dimension of size 8 "
                        + "it would address an element past the range of a long, but the array has 576 (sizes "
                        + "[3, 3, 8, 8]))");
    }

    @Test
    void theVariableNameIsEscaped() {
        byte[] b = patched(KERNEL, STRIDE0, 288);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        b[variable(bb, KERNEL).nameAsByteBuffer().position() + 5] = 0x1b;   // conv1\x1bkernel
        assertThatThrownBy(() -> FlatBufferBounds.check(b, "decoder.fb")).isInstanceOf(ModelException.class)
                .hasMessageContaining("variable 'conv1\\x1bkernel': shape info stride[0] is 288")
                .message().doesNotContain("\u001b");
    }

    @Test
    void theReaderRefusesAPatchedFileNamingIt() throws IOException {
        // an order the loader would take for 'f' and a c layout: in bounds, so safe to hand to the reader here
        Path f = Files.write(dir.resolve("patched.fb"), patched(KERNEL, ORDER, 'x'));
        assertThatThrownBy(() -> new SameDiffWeightsReader().readDecoder(f)).isInstanceOf(ModelException.class)
                .hasMessage("patched.fb: not a readable SameDiff FlatBuffers file (truncated or corrupt: variable "
                        + "'conv1_kernel': shape info order 120 is neither 99 ('c') nor 102 ('f'))");
    }

    private static void refused(byte[] bytes, String what) {
        assertThatThrownBy(() -> FlatBufferBounds.check(bytes, "decoder.fb")).isInstanceOf(ModelException.class)
                .hasMessageStartingWith("decoder.fb: not a readable SameDiff FlatBuffers file (truncated or corrupt: "
                        + "variable '" + KERNEL + "': ")
                .hasMessageContaining(what);
    }

    private static void sameWeights(DecoderWeights back) {
        for (int i = 0; i < DecoderWeights.CONV_COUNT; i++) {
            ConvLayer a = DECODER.convs().get(i);
            ConvLayer b = back.convs().get(i);
            assertThat(b.shapeString()).as("conv %d", i).isEqualTo(a.shapeString());
            assertThat(b.kernelOihw()).as("conv %d kernel", i).containsExactly(a.kernelOihw());
            assertThat(b.bias()).as("conv %d bias", i).containsExactly(a.bias());
        }
    }

    /** The fixture with value {@code index} of the shape info of {@code variable}'s array set to {@code value}. */
    private static byte[] patched(String variable, int index, long value) {
        byte[] b = fixture.clone();
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        // the vector's view starts at its absolute position in the file
        bb.putLong(array(bb, variable).shapeAsByteBuffer().position() + Long.BYTES * index, value);
        return b;
    }

    private static long[] shapeInfo(byte[] file, String variable) {
        FlatArray a = array(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN), variable);
        long[] info = new long[a.shapeLength()];
        for (int i = 0; i < info.length; i++) {
            info[i] = a.shape(i);
        }
        return info;
    }

    private static FlatArray array(ByteBuffer bb, String variable) {
        return variable(bb, variable).ndarray();
    }

    private static FlatVariable variable(ByteBuffer bb, String name) {
        FlatGraph g = FlatGraph.getRootAsFlatGraph(bb);
        for (int i = 0; i < g.variablesLength(); i++) {
            FlatVariable v = g.variables(i);
            if (name.equals(v.name())) {
                return v;
            }
        }
        throw new AssertionError("no variable " + name);
    }

    private static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
