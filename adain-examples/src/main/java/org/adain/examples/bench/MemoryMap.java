package org.adain.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Where a process's resident memory is, by kind, for the soak benchmark's {@code --smaps} records: each mapping of
 * {@code /proc/self/smaps} is put in one class by its resident size ({@code Rss}). Mappings the JVM reserved are named
 * by Native Memory Tracking's detail report (the JVM must run with {@code -XX:NativeMemoryTracking=detail}; without
 * it they count as anonymous memory): Java heap, class metadata, code cache, JVM thread stacks, GC structures. The
 * rest is told apart by its shape: glibc's malloc arenas are 64 MiB-aligned reservations (the main arena is
 * {@code [heap]}), a thread stack that glibc made for a native thread (OpenMP, JavaCPP) is an anonymous mapping
 * right after its 4 KiB guard page, shared libraries by their file name (JDK, JavaCPP's cache where ND4J and
 * oneDNN live, ONNX Runtime's extraction directory, others). Linux only.
 *
 * <p>{@link #line} also gives {@code nmt_malloc_mib}: what the JVM itself holds through {@code malloc} (NMT's total),
 * which lives in the malloc classes above beside ND4J's and oneDNN's allocations; the difference is theirs (plus
 * glibc's overhead). It is not a class of its own: the classes alone add up to the resident set.
 *
 * <pre>{@code
 * Map<String, Long> kib = MemoryMap.classify(Files.readString(Path.of("/proc/self/smaps")), MemoryMap.nmtDetail());
 * }</pre>
 */
final class MemoryMap {
    /** glibc's HEAP_MAX_SIZE on 64-bit: each non-main arena is one reservation of this size and alignment. */
    private static final long ARENA = 64L << 20;
    private static final Pattern HEADER = Pattern.compile("^([0-9a-f]+)-([0-9a-f]+) (\\S{4}) \\S+ \\S+ \\d+\\s*(.*)$");
    /** The first {@code malloc:} line of an NMT report is the total of the summary (JDK 17: "Total: …" then it). */
    private static final Pattern NMT_MALLOC = Pattern.compile("^\\s*malloc: (\\d+)KB", Pattern.MULTILINE);
    private static final Pattern NMT_RANGE = Pattern.compile(
            "^\\[0x([0-9a-f]+) - 0x([0-9a-f]+)\\] reserved(?: and committed)? \\d+KB for (.+?) from\\s*$");

    /** The classes, in print order. */
    static final List<String> CLASSES = List.of("java_heap", "class_meta", "code_cache", "jvm_thread_stacks", "gc",
            "jvm_other", "malloc_main", "malloc_arenas", "native_thread_stacks", "anon_other", "so_jdk", "so_javacpp",
            "so_onnxruntime", "so_other", "file_other");

    private MemoryMap() {
    }

    private record Range(long start, long end, String what) {
    }

    private record Mapping(long start, long end, String perms, String path, long rssKib) {
        boolean anonymous() {
            return path.isEmpty();
        }
    }

    /**
     * Resident KiB per class of {@link #CLASSES}, plus {@code arena_count} and {@code native_stack_count}.
     *
     * @param smaps     the text of {@code /proc/PID/smaps}
     * @param nmtDetail the text of {@code VM.native_memory detail}, or "" when Native Memory Tracking is off
     */
    static Map<String, Long> classify(String smaps, String nmtDetail) {
        List<Range> jvm = nmtRanges(nmtDetail);
        List<Mapping> maps = mappings(smaps);
        Map<String, Long> kib = new LinkedHashMap<>();
        for (String c : CLASSES) {
            kib.put(c, 0L);
        }
        long arenas = 0;
        long stacks = 0;
        for (int i = 0; i < maps.size(); i++) {
            Mapping m = maps.get(i);
            String c;
            Range r = find(jvm, m.start());
            if (r != null) {
                c = switch (r.what()) {
                    case "Java Heap" -> "java_heap";
                    case "Class", "Metaspace", "Shared class space" -> "class_meta";
                    case "Code" -> "code_cache";
                    case "Thread Stack" -> "jvm_thread_stacks";
                    case "GC" -> "gc";
                    default -> "jvm_other";
                };
            } else if (m.path().equals("[heap]")) {
                c = "malloc_main";
            } else if (m.path().equals("[stack]")) {
                c = "jvm_thread_stacks";
            } else if (m.anonymous()) {
                Mapping prev = i > 0 ? maps.get(i - 1) : null;
                if (m.perms().startsWith("rw") && m.start() % ARENA == 0 && m.end() - m.start() <= ARENA) {
                    c = "malloc_arenas";
                    arenas++;
                } else if (prev != null && prev.anonymous() && prev.end() == m.start()
                        && prev.perms().startsWith("---") && prev.end() - prev.start() == 4096
                        && m.perms().startsWith("rw") && find(jvm, prev.start()) == null) {
                    c = "native_thread_stacks";
                    stacks++;
                } else {
                    c = "anon_other";
                }
            } else if (m.path().contains(".so")) {
                if (m.path().contains("/jvm/") || m.path().contains("/jdk")) {
                    c = "so_jdk";
                } else if (m.path().contains(".javacpp")) {
                    c = "so_javacpp";
                } else if (m.path().contains("onnxruntime")) {
                    c = "so_onnxruntime";
                } else {
                    c = "so_other";
                }
            } else if (m.path().startsWith("[")) {
                c = "jvm_other";
            } else {
                c = "file_other";
            }
            kib.merge(c, m.rssKib(), Long::sum);
        }
        kib.put("arena_count", arenas);
        kib.put("native_stack_count", stacks);
        return kib;
    }

    /**
     * The JVM's own {@code malloc} in KiB from an NMT report (summary or detail), or -1 when the report has none.
     *
     * @param nmt the text of {@code VM.native_memory summary} or {@code detail}
     */
    static long nmtMallocKib(String nmt) {
        Matcher m = NMT_MALLOC.matcher(nmt);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** {@code key=MiB …} of {@link #classify} on this process and {@code nmt_malloc_mib}, or a note why not. */
    static String line() {
        try {
            String nmt = nmtDetail();
            Map<String, Long> kib = classify(Files.readString(Path.of("/proc/self/smaps")), nmt);
            long jvmMalloc = nmtMallocKib(nmt);
            if (jvmMalloc >= 0) {
                kib.put("nmt_malloc", jvmMalloc);
            }
            StringBuilder sb = new StringBuilder();
            for (Map.Entry<String, Long> e : kib.entrySet()) {
                boolean count = e.getKey().endsWith("_count");
                sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append(count ? "=" : "_mib=")
                        .append(count ? Long.toString(e.getValue())
                                : String.format(Locale.ROOT, "%.1f", e.getValue() / 1024.0));
            }
            return sb.toString();
        } catch (IOException | RuntimeException e) {
            return "unavailable=" + e.getClass().getSimpleName();
        }
    }

    /** Native Memory Tracking's detail report, or "" when it is off or the diagnostic command is missing. */
    static String nmtDetail() {
        try {
            Object r = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "vmNativeMemory",
                    new Object[] {new String[] {"detail"}}, new String[] {String[].class.getName()});
            return r instanceof String s ? s : "";
        } catch (JMException | RuntimeException e) {
            return "";
        }
    }

    private static Range find(List<Range> ranges, long address) {
        for (Range r : ranges) {
            if (address >= r.start() && address < r.end()) {
                return r;
            }
        }
        return null;
    }

    private static List<Range> nmtRanges(String detail) {
        List<Range> out = new ArrayList<>();
        for (String line : detail.split("\n")) {
            Matcher m = NMT_RANGE.matcher(line);
            if (m.matches()) {
                out.add(new Range(Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16),
                        m.group(3).strip()));
            }
        }
        return out;
    }

    private static List<Mapping> mappings(String smaps) {
        List<Mapping> out = new ArrayList<>();
        long start = 0;
        long end = 0;
        String perms = null;
        String path = null;
        for (String line : smaps.split("\n")) {
            Matcher h = HEADER.matcher(line);
            if (h.matches()) {
                start = Long.parseUnsignedLong(h.group(1), 16);
                end = Long.parseUnsignedLong(h.group(2), 16);
                perms = h.group(3);
                path = h.group(4).strip();
            } else if (line.startsWith("Rss:") && perms != null) {
                long rss = Long.parseLong(line.substring(4).replace("kB", "").strip());
                out.add(new Mapping(start, end, perms, path, rss));
            }
        }
        return out;
    }
}
