package org.adain.dl4j.graph;

import java.util.Locale;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;

/**
 * oneDNN 2.5 called directly (JavaCPP's dnnl preset), for the bfloat16 networks {@link Bf16Encoder} and
 * {@link Bf16Decoder}: whether its natives load here, and whether this CPU runs bf16 convolutions natively.
 * ND4J M2.1 cannot: its {@code conv2d} never calls oneDNN for BFLOAT16 (docs/BENCHMARKS.md, "bf16 probe"). The
 * preset's {@code libdnnl} 2.5.2 and the oneDNN 2.3 linked into ND4J's {@code libnd4jcpu} live side by side in one
 * process (checked: an ND4J conv gives the same bits before and after the preset's).
 *
 * <pre>{@code
 * Dnnl.Bf16Support s = Dnnl.bf16Support();
 * if (s.level() != Dnnl.Bf16Level.NATIVE) {
 *     System.err.println(s.message());
 * }
 * }</pre>
 */
public final class Dnnl {
    /** How this machine runs oneDNN's bf16 convolutions. */
    public enum Bf16Level {
        /** avx512_bf16 (Cooper Lake, Zen 4) or AMX (Sapphire Rapids): about 2x the float32 convolutions. */
        NATIVE,
        /** AVX-512 without bf16 instructions (Skylake-SP to Ice Lake): emulated, 2–3x slower than float32. */
        EMULATED,
        /** No AVX-512 (AVX2 and older, or not x86-64), or oneDNN's natives did not load: no bf16 convolution. */
        UNAVAILABLE
    }

    /**
     * The answer of {@link #bf16Support()}.
     *
     * @param level   native, emulated or unavailable
     * @param isa     oneDNN's effective ISA ({@code avx512_core_bf16}, {@code avx2}, ...), or what kept oneDNN from
     *                loading
     * @param message a sentence for a user, naming the ISA
     */
    public record Bf16Support(Bf16Level level, String isa, String message) {
    }

    private static final String NATIVES = "org.bytedeco:dnnl " + "2.5.2-1.5.7";
    /** Null when the natives loaded; else why not. */
    private static final String LOAD_FAILURE = load();

    private Dnnl() {
    }

    private static String load() {
        try {
            Loader.load(dnnl.class);
            return null;
        } catch (LinkageError | RuntimeException e) {
            // UnsatisfiedLinkError: no natives for this platform (macOS arm64 has none); NoClassDefFoundError: the
            // preset's jar was excluded. Either way float32 must keep working, so this is an answer, not a crash.
            return e.toString();
        }
    }

    /**
     * Whether oneDNN runs bf16 convolutions on this CPU, from {@code dnnl_get_effective_cpu_isa()} (which honours
     * {@code ONEDNN_MAX_CPU_ISA}). Cheap after the first call.
     */
    public static Bf16Support bf16Support() {
        String platform = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        if (LOAD_FAILURE != null) {
            return new Bf16Support(Bf16Level.UNAVAILABLE, "none", "oneDNN (" + NATIVES + ") could not be loaded on "
                    + platform + ": " + LOAD_FAILURE + "; bf16 needs its natives for this platform (linux-x86_64, "
                    + "macosx-x86_64 or windows-x86_64)");
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return new Bf16Support(Bf16Level.UNAVAILABLE, arch, "bf16 convolutions need an x86-64 CPU with "
                    + "AVX-512 (natively avx512_bf16 or AMX); this is " + platform);
        }
        int isa = dnnl.dnnl_get_effective_cpu_isa();
        String name = isaName(isa);
        if (has(isa, dnnl.dnnl_cpu_isa_avx512_core_bf16) || has(isa, dnnl.dnnl_cpu_isa_avx512_core_amx)) {
            return new Bf16Support(Bf16Level.NATIVE, name, "bf16 convolutions run natively on this CPU "
                    + "(oneDNN ISA " + name + ")");
        }
        if (has(isa, dnnl.dnnl_cpu_isa_avx512_core)) {
            return new Bf16Support(Bf16Level.EMULATED, name, "this CPU has AVX-512 but no bf16 instructions "
                    + "(oneDNN ISA " + name + "): oneDNN emulates bf16 convolutions, 2-3x slower than float32; "
                    + "avx512_bf16 or AMX runs them natively");
        }
        return new Bf16Support(Bf16Level.UNAVAILABLE, name, "oneDNN has no bf16 convolution for this CPU (oneDNN "
                + "ISA " + name + "): it needs AVX-512, natively avx512_bf16 or AMX");
    }

    /** Throws when bf16 cannot run here at all (emulated bf16 runs: refusing it is the caller's policy). */
    static void requireBf16() {
        Bf16Support s = bf16Support();
        if (s.level() == Bf16Level.UNAVAILABLE) {
            throw new IllegalStateException(s.message());
        }
    }

    /** The ISA bits are cumulative: avx512_core_bf16 holds avx512_core's bits and one of its own. */
    private static boolean has(int isa, int wanted) {
        return (isa & wanted) == wanted;
    }

    /** oneDNN's name of an ISA value, as ONEDNN_MAX_CPU_ISA spells it in lower case. */
    static String isaName(int isa) {
        if (isa == dnnl.dnnl_cpu_isa_avx512_core_amx) {
            return "avx512_core_amx";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core_bf16) {
            return "avx512_core_bf16";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core_vnni) {
            return "avx512_core_vnni";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_core) {
            return "avx512_core";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_mic_4ops) {
            return "avx512_mic_4ops";
        } else if (isa == dnnl.dnnl_cpu_isa_avx512_mic) {
            return "avx512_mic";
        } else if (isa == dnnl.dnnl_cpu_isa_avx2_vnni) {
            return "avx2_vnni";
        } else if (isa == dnnl.dnnl_cpu_isa_avx2) {
            return "avx2";
        } else if (isa == dnnl.dnnl_cpu_isa_avx) {
            return "avx";
        } else if (isa == dnnl.dnnl_cpu_isa_sse41) {
            return "sse41";
        }
        return String.format(Locale.ROOT, "isa 0x%x", isa);
    }
}
