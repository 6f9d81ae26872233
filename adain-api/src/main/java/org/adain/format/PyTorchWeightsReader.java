package org.adain.format;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.adain.AdainException;
import org.adain.ModelException;
import org.adain.spi.DecoderWeights;
import org.adain.spi.EncoderWeights;
import org.adain.spi.WeightsReader;

/**
 * Reads PyTorch state dicts ({@code torch.save(model.state_dict(), f)}) in the key layout of the most used
 * PyTorch port of AdaIN (naoto0804/pytorch-AdaIN, whose {@code vgg_normalised.pth} and {@code decoder.pth} are
 * conversions of the authors' Torch7 files):
 * <ul>
 *   <li>encoder: the 53-module normalised VGG-19, keys {@code 0.weight} … {@code 51.bias}; modules 0–30 (up to
 *   relu4_1) are used, the conv4_2 … conv5_4 keys after them may be present or not and are not read;</li>
 *   <li>decoder: the 29-module decoder, keys {@code 1.weight} … {@code 28.bias}.</li>
 * </ul>
 * Both containers are read: the zip archive of torch ≥ 1.6 and the legacy pickle stream
 * ({@code _use_new_zipfile_serialization=False}, and every file saved by torch 0.4–1.5, like the 2018 release
 * files). Storages may be float32, float16 or float64; values are converted to float.
 *
 * <p><b>Safety.</b> PyTorch's own loader unpickles with Python's {@code pickle}, which can call any function a
 * file names. This reader runs nothing from the file: its unpickler knows only {@code collections.OrderedDict},
 * {@code torch._utils._rebuild_tensor_v2} (and the pre-0.4 {@code _rebuild_tensor}) and the three storage types,
 * interprets them itself, and refuses any other global by name. Zip entries are bounded (no absolute or
 * {@code ..} names, no zip bombs), and every size in the file is checked against the bytes actually there
 * before anything is allocated.
 *
 * <pre>{@code
 * WeightsReader r = new PyTorchWeightsReader();
 * EncoderWeights enc = r.readEncoder(Path.of("vgg_normalised.pth"));
 * DecoderWeights dec = r.readDecoder(Path.of("decoder.pth"));
 * }</pre>
 *
 * Registered in {@code META-INF/services/org.adain.spi.WeightsReader}; {@code StyleTransfer.builder()} picks it by
 * the file's first bytes. Thread-safe (no shared state). Every failure is a {@link ModelException} that starts
 * with the file name and names the key at fault.
 */
public final class PyTorchWeightsReader implements WeightsReader {
    /** Creates a reader. */
    public PyTorchWeightsReader() {
    }

    @Override
    public String formatName() {
        return "PyTorch state dict (.pth)";
    }

    /**
     * True for a zip archive holding a {@code data.pkl} (or any zip or bare pickle named .pth/.pt, so that it gets a
     * precise error), a pickle starting with torch's magic number, or torch's pre-0.1.10 tar container.
     */
    @Override
    public boolean canRead(Path file, byte[] head) {
        if (head == null) {
            return false;
        }
        String name = file == null || file.getFileName() == null ? ""
                : file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean pthName = name.endsWith(".pth") || name.endsWith(".pt");
        if (PthFile.isZip(head)) {
            return pthName || contains(head, "data.pkl");
        }
        boolean pickle = head.length > 0 && (head[0] & 0xff) == 0x80;
        return PthFile.isLegacy(head) || PthFile.isOldTar(head) || pthName && pickle;
    }

    private static boolean contains(byte[] head, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + b.length <= head.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (head[i + j] != b[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public EncoderWeights readEncoder(Path file) {
        return read(file, (pth, name) -> PortLayout.encoder(source(pth), name));
    }

    @Override
    public DecoderWeights readDecoder(Path file) {
        return read(file, (pth, name) -> PortLayout.decoder(source(pth), name));
    }

    private static PortLayout.Source source(PthFile pth) {
        return PortLayout.source(pth.tensors(), key -> "key " + SafeText.quoted(key));
    }

    private interface Body<T> {
        T apply(PthFile pth, String name);
    }

    private static <T> T read(Path path, Body<T> body) {
        Objects.requireNonNull(path, "file");
        String name = Torch7WeightsReader.fileName(path);
        try (PthFile pth = PthFile.open(path, name)) {
            return body.apply(pth, name);
        } catch (AdainException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ModelException(name + ": cannot read the file as a PyTorch state dict (" + SafeText.of(e.toString())
                    + ")", e);
        }
    }
}
