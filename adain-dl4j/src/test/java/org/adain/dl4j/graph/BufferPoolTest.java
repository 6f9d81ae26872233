package org.adain.dl4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.adain.dl4j.TestNets;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderKind;
import org.adain.spi.EncoderWeights;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Reusing intermediates: what is kept, the bound, and that reuse never changes a network's results. */
class BufferPoolTest {
    private static final int A = 4, B = 5, C = 6, D = 8;

    @Test
    void givesBackWhatItKeptForTheSameShapeWithinItsBound() {
        try (BufferPool pool = new BufferPool(1000)) {
            INDArray a = pool.take(2, 3, 4, 5);                  // 120 floats = 480 bytes
            pool.give(a);
            assertThat(pool.heldBytes()).isEqualTo(480);
            assertThat(pool.take(2, 3, 4, 5)).isSameAs(a);
            assertThat(pool.heldBytes()).isZero();
            assertThat(pool.take(2, 3, 5, 4)).isNotSameAs(a);    // another shape: a new array

            INDArray b = pool.take(2, 3, 4, 5);
            INDArray c = pool.take(2, 3, 4, 5);
            pool.give(a, b, c);                                  // 1440 bytes: the third does not fit
            assertThat(pool.heldBytes()).isEqualTo(960);
            assertThat(c.wasClosed()).isTrue();
            assertThat(a.wasClosed()).isFalse();
        }
    }

    @Test
    void keepsNoArrayOfAShapeNobodyTakesAndNoMoreThanWereTakenAtOnce() {
        try (BufferPool pool = new BufferPool(1 << 20)) {
            // a pass's own new arrays (pooled maps, layout copies) given back: no take asks for them, so none is kept
            for (int pass = 0; pass < 5; pass++) {
                INDArray fresh = Nd4j.createUninitialized(DataType.FLOAT, 1, 7, 9, 3);
                pool.give(fresh);
                assertThat(fresh.wasClosed()).isTrue();
            }
            assertThat(pool.heldBytes()).isZero();

            // two taken at once, three given back (one made elsewhere): two are kept, pass after pass
            for (int pass = 0; pass < 5; pass++) {
                INDArray a = pool.take(4, 4);
                INDArray b = pool.take(4, 4);
                INDArray extra = Nd4j.createUninitialized(DataType.FLOAT, 4, 4);
                pool.give(a, b, extra);
                assertThat(pool.heldBytes()).as("pass %d", pass).isEqualTo(2 * 16 * 4);
            }
        }
    }

    @Test
    void keepsOnlyDenseFloatArraysThatOwnTheirMemory() {
        try (BufferPool pool = new BufferPool(1 << 20)) {
            INDArray base = Nd4j.rand(DataType.FLOAT, 4, 4);
            INDArray view = base.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 2),
                    org.nd4j.linalg.indexing.NDArrayIndex.all());
            INDArray doubles = Nd4j.rand(DataType.DOUBLE, 4, 4);
            pool.give(view, doubles, null);
            assertThat(pool.heldBytes()).isZero();
            assertThat(base.wasClosed()).isFalse();              // a view's release never frees its base
            assertThat(doubles.wasClosed()).isTrue();
        }
    }

    @Test
    void noneKeepsNothingAndClosingFreesWhatIsKept() {
        INDArray a = BufferPool.NONE.take(8, 8);
        BufferPool.NONE.give(a);
        assertThat(a.wasClosed()).isTrue();
        assertThat(BufferPool.NONE.heldBytes()).isZero();

        BufferPool pool = new BufferPool(1 << 20);
        INDArray b = pool.take(8, 8);
        pool.give(b);
        pool.close();
        assertThat(b.wasClosed()).isTrue();
        assertThat(pool.heldBytes()).isZero();
        assertThatThrownBy(() -> new BufferPool(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    @Test
    void networksGiveBitIdenticalResultsWithAndWithoutReuseAcrossSizes() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 3);
        EncoderWeights kw = TestNets.encoder(EncoderKind.KERAS_APPLICATIONS_VGG19, A, B, C, D, 4);
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 5);
        // sizes repeat, so later passes run on reused (dirty) buffers of earlier ones
        int[][] sizes = {{40, 56}, {33, 47}, {40, 56}, {33, 47}, {40, 56}};
        try (BufferPool pool = new BufferPool(64L << 20);
                VggEncoder plain = new VggEncoder(ew); VggEncoder pooled = new VggEncoder(ew, pool);
                VggEncoder kerasPlain = new VggEncoder(kw); VggEncoder kerasPooled = new VggEncoder(kw, pool);
                AdainDecoder decPlain = new AdainDecoder(dw); AdainDecoder decPooled = new AdainDecoder(dw, pool)) {
            for (int k = 0; k < sizes.length; k++) {
                INDArray img = TestNets.toNd4j(TestNets.randomImage(1, 3, sizes[k][0], sizes[k][1], 10 + k));
                List<INDArray> a = plain.encodeTaps(img);
                List<INDArray> b = pooled.encodeTaps(img);
                for (int t = 0; t < 4; t++) {
                    assertThat(floats(b.get(t))).as("size %d tap %d", k, t).containsExactly(floats(a.get(t)));
                }
                assertThat(floats(kerasPooled.encode(img))).as("keras size %d", k)
                        .containsExactly(floats(kerasPlain.encode(img)));
                INDArray f = a.get(3);
                assertThat(floats(decPooled.decode(f))).as("decoder size %d", k)
                        .containsExactly(floats(decPlain.decode(f)));
                assertThat(pool.heldBytes()).isPositive();
            }
        }
    }

    @Test
    void heldMemoryStopsGrowingWhenTheSamePassesRepeat() {
        EncoderWeights ew = TestNets.encoder(EncoderKind.NORMALISED_VGG19, A, B, C, D, 3);
        DecoderWeights dw = TestNets.decoder(A, B, C, D, 5);
        INDArray content = TestNets.toNd4j(TestNets.randomImage(1, 3, 40, 56, 1));
        INDArray style = TestNets.toNd4j(TestNets.randomImage(1, 3, 33, 47, 2)); // another size, as in a server
        long afterSecond = -1;
        try (BufferPool pool = new BufferPool(512L << 20);
                VggEncoder enc = new VggEncoder(ew, pool); AdainDecoder dec = new AdainDecoder(dw, pool)) {
            for (int request = 1; request <= 10; request++) {
                INDArray fc = enc.encode(content);
                INDArray fs = enc.encode(style);
                INDArray out = dec.decode(fc);
                GraphOps.release(fc, fs, out);
                if (request == 2) {
                    afterSecond = pool.heldBytes();
                }
            }
            // before the fix each request left its pooled maps and the style's input behind (+ about 40 KiB here)
            assertThat(pool.heldBytes()).isEqualTo(afterSecond).isPositive();
        }
    }

    /** Exact values (INDArray.equals allows a tolerance). */
    private static float[] floats(INDArray a) {
        return a.dup('c').data().asFloat();
    }
}
