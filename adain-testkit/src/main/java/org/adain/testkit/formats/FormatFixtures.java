package org.adain.testkit.formats;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The weight-format fixtures made by {@code adain-testkit/oracle/make_torch_fixtures.py}: the testkit's small
 * model (the one in {@code reference/models/encoder_tf2.h5} and {@code decoder_tf2.h5}) as PyTorch state dicts
 * and Torch7 files in the layouts of the published AdaIN models, plus defective and hostile files.
 *
 * <pre>{@code
 * Path vgg = FormatFixtures.copyTo(FormatFixtures.ZIP_ENCODER, tempDir);  // readers need real files
 * }</pre>
 *
 * Names are relative to {@link #RESOURCE_ROOT}; {@link #copyTo} keeps the sub-directory, so the zip and legacy
 * files (which share file names, as the released files do) do not overwrite each other.
 */
public final class FormatFixtures {
    /** The class-path directory of the fixtures; every name below is relative to it. */
    public static final String RESOURCE_ROOT = "org/adain/testkit/formats/";

    /** The normalised VGG-19 (all 53 modules, as released) as a state dict in torch's zip container (torch ≥ 1.6). */
    public static final String ZIP_ENCODER = "zip/vgg_normalised.pth";
    /** The decoder as a state dict in torch's zip container. */
    public static final String ZIP_DECODER = "zip/decoder.pth";
    /** The encoder in the legacy pickle container the 2018 release files use. */
    public static final String LEGACY_ENCODER = "legacy/vgg_normalised.pth";
    /** The decoder in the legacy pickle container. */
    public static final String LEGACY_DECODER = "legacy/decoder.pth";
    /** The encoder with float16 storages (zip container). */
    public static final String FLOAT16_ENCODER = "float16/vgg_normalised.pth";
    /** The decoder with float16 storages (zip container). */
    public static final String FLOAT16_DECODER = "float16/decoder.pth";
    /** The decoder with float64 storages (legacy container). */
    public static final String FLOAT64_DECODER = "float64/decoder.pth";
    /** The encoder as a Torch7 file, as {@code torch.save} of the authors' {@code nn.Sequential} writes it. */
    public static final String T7_ENCODER = "t7/vgg_normalised.t7";
    /** The same Torch7 encoder with the older 2-D conv weights {@code [out, in·kh·kw]}. */
    public static final String T7_ENCODER_2D = "t7/vgg_normalised_2d.t7";
    /** The decoder as a Torch7 file, its weights views into one flat storage like the authors' {@code decoder.t7}. */
    public static final String T7_DECODER = "t7/decoder.t7";

    /**
     * A decoder state dict without the key {@code 28.bias}. This and the other {@code BAD_} files hold a tiny model
     * (4 channels) with one defect each; a reader must refuse them, naming the file and the defect.
     */
    public static final String BAD_MISSING_KEY = "bad/decoder_missing_key.pth";
    /** An encoder state dict with an unexpected module index ({@code 60.weight}). */
    public static final String BAD_EXTRA_KEY = "bad/vgg_extra_key.pth";
    /** A decoder state dict with a key outside the port's layout ({@code foo}). */
    public static final String BAD_FOO_KEY = "bad/decoder_foo_key.pth";
    /** A decoder whose last conv ({@code 28.weight}) has the wrong shape {@code [3, 16, 3, 3]}. */
    public static final String BAD_WRONG_SHAPE = "bad/decoder_wrong_shape.pth";
    /** A decoder with one NaN in {@code 14.weight}. */
    public static final String BAD_NAN = "bad/decoder_nan.pth";
    /** A whole pickled {@code nn.Sequential}, not a state dict: its classes are globals a safe unpickler refuses. */
    public static final String BAD_WHOLE_MODEL = "bad/whole_model.pth";
    /** Keys prefixed 'module.', as nn.DataParallel saves them. */
    public static final String BAD_PREFIXED = "bad/vgg_prefixed.pth";

    /**
     * A zip-container pickle whose REDUCE calls {@code os.system('touch adain-pwned-marker')} under
     * {@code torch.load}; a safe reader refuses it and creates no {@link #MARKER}.
     */
    public static final String EVIL_ZIP = "hostile/evil_zip.pth";
    /** The same malicious pickle in the legacy container. */
    public static final String EVIL_LEGACY = "hostile/evil_legacy.pth";
    /** A Torch7 stream with a class the reader does not know ({@code nn.Linear}). */
    public static final String T7_UNKNOWN_CLASS = "hostile/unknown_class.t7";
    /** A Torch7 stream holding a serialised Lua function (bytecode), which a reader must never run. */
    public static final String T7_LUA_FUNCTION = "hostile/lua_function.t7";

    /** The file the malicious pickles would create ({@code os.system('touch adain-pwned-marker')}). */
    public static final String MARKER = "adain-pwned-marker";

    private FormatFixtures() {
    }

    /**
     * Reads a fixture into memory, e.g. to truncate or corrupt it in a test.
     *
     * @param name one of the names above, relative to {@link #RESOURCE_ROOT}
     * @return the file's bytes
     * @throws UncheckedIOException the fixture is not on the class path (the message says how to regenerate it)
     */
    public static byte[] bytes(String name) {
        try (InputStream in = open(name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Copies a fixture to a real file, for readers that need a path.
     *
     * @param name      one of the names above, relative to {@link #RESOURCE_ROOT}
     * @param directory where to copy it, e.g. a JUnit {@code @TempDir}; sub-directories are created
     * @return {@code directory/name} (the sub-directory kept), replaced if it existed
     * @throws UncheckedIOException the fixture is not on the class path, or the file cannot be written
     */
    public static Path copyTo(String name, Path directory) {
        try (InputStream in = open(name)) {
            Path target = directory.resolve(name);
            Files.createDirectories(target.getParent());
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String name) throws IOException {
        InputStream in = FormatFixtures.class.getClassLoader().getResourceAsStream(RESOURCE_ROOT + name);
        if (in == null) {
            throw new NoSuchFileException("classpath:" + RESOURCE_ROOT + name
                    + " (regenerate with /usr/bin/python3 adain-testkit/oracle/make_torch_fixtures.py)");
        }
        return in;
    }
}
