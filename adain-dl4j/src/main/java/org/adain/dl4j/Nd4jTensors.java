package org.adain.dl4j;

import java.util.Arrays;
import org.adain.spi.Tensor;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Copies between heap {@link Tensor}s and float32 ND4J arrays. */
final class Nd4jTensors {
    private Nd4jTensors() {
    }

    /** A new c-order float32 array holding the tensor's values. */
    static INDArray toArray(Tensor t) {
        int[] s = t.shape();
        long[] shape = Arrays.stream(s).asLongStream().toArray();
        return Nd4j.create(t.toArray(), shape, DataType.FLOAT);
    }

    /** A heap copy of the array's values, row-major. */
    static Tensor toTensor(INDArray a) {
        INDArray dense = a;
        if (a.dataType() != DataType.FLOAT) {
            dense = a.castTo(DataType.FLOAT);
        }
        if (dense.isView() || dense.ordering() != 'c' || dense.data().length() != dense.length()) {
            INDArray copy = dense.dup('c');
            if (dense != a) {
                dense.close();
            }
            dense = copy;
        }
        float[] values = dense.data().asFloat();
        if (dense != a) {
            dense.close();
        }
        int[] shape = Arrays.stream(a.shape()).mapToInt(Math::toIntExact).toArray();
        return Tensor.wrap(values, shape);
    }
}
