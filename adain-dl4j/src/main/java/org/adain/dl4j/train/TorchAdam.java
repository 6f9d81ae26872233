package org.adain.dl4j.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@code torch.optim.Adam} (1.13, no weight decay, no amsgrad), and torch7's {@code optim.adam}, on one float32
 * parameter; as ND4J ops in the same
 * order as PyTorch's single-tensor implementation, step {@code k = i + 1}:
 * <pre>
 * m = m·β1 + (1 − β1)·g
 * v = v·β2 + (1 − β2)·g·g
 * p = p − lr_i / (1 − β1^k) · m / (sqrt(v) / sqrt(1 − β2^k) + ε)
 * </pre>
 * ε is added after the bias correction. ND4J's own {@code Adam} updater adds it before
 * ({@code lr·sqrt(1−β2^k)/(1−β1^k) · m / (sqrt(v) + ε)}, the torch7 form), which is why it is not used. The
 * scalar factors are computed in double, as Python does, and applied in float32.
 */
final class TorchAdam {
    private TorchAdam() {
    }

    /**
     * Updates {@code param}, {@code m} and {@code v} in place.
     *
     * @param step the 1-based step number k
     */
    static void update(INDArray param, INDArray grad, INDArray m, INDArray v, double lr, double beta1, double beta2,
            double eps, long step) {
        // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
        INDArray scaled = grad.mul(1 - beta1);
        m.muli(beta1).addi(scaled);
        scaled.close();
        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        INDArray sq = grad.mul(grad).muli(1 - beta2);
        v.muli(beta2).addi(sq);
        sq.close();
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr / biasCorrection1;
        // denom = (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
        INDArray denom = Transforms.sqrt(v, true).divi(Math.sqrt(biasCorrection2)).addi(eps);
        // param.addcdiv_(exp_avg, denom, value=-step_size)
        INDArray delta = m.div(denom).muli(stepSize);
        param.subi(delta);
        denom.close();
        delta.close();
    }

    /**
     * torch7's {@code optim.adam} (torch/optim {@code adam.lua:54-68}): the same moments, then
     * {@code p = p − clr·sqrt(1 − β2^k)/(1 − β1^k) · m / (sqrt(v) + ε)}: ε added before the bias correction.
     *
     * @param step the 1-based step number k
     */
    static void updateTorch7(INDArray param, INDArray grad, INDArray m, INDArray v, double lr, double beta1,
            double beta2, double eps, long step) {
        INDArray scaled = grad.mul(1 - beta1);
        m.muli(beta1).addi(scaled);
        scaled.close();
        INDArray sq = grad.mul(grad).muli(1 - beta2);
        v.muli(beta2).addi(sq);
        sq.close();
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr * Math.sqrt(biasCorrection2) / biasCorrection1;
        INDArray denom = Transforms.sqrt(v, true).addi(eps);
        INDArray delta = m.div(denom).muli(stepSize);
        param.subi(delta);
        denom.close();
        delta.close();
    }
}
