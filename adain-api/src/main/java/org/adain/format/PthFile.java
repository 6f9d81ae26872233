package org.adain.format;

import java.io.Closeable;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.adain.ModelException;
import org.adain.format.RestrictedUnpickler.Global;
import org.adain.format.RestrictedUnpickler.TensorRef;
import org.adain.format.RestrictedUnpickler.Tuple;

/**
 * A file written by {@code torch.save(state_dict, f)}, in either container, as key → {@link StoredTensor}.
 *
 * <ul>
 *   <li><b>zip</b> (torch ≥ 1.6): a zip archive (entries stored, not compressed) with {@code <archive>/data.pkl},
 *   the pickle, and one entry {@code <archive>/data/<key>} per storage holding its raw little-endian bytes
 *   (big-endian when the {@code <archive>/byteorder} record says so). Persistent ids are
 *   {@code ('storage', <storage type>, key, location, numel)}.</li>
 *   <li><b>legacy</b> ({@code _use_new_zipfile_serialization=False}, and every file from torch 0.4–1.5): five
 *   consecutive pieces: the pickled magic number 0x1950a86a20f9469cfc6c, the protocol version 1001, a
 *   sys_info dict (byte order and type sizes), the main pickle with persistent ids
 *   {@code ('storage', <storage type>, key, location, numel, view_metadata)}, the pickled list of storage keys,
 *   then for each key in that order an int64 element count and the raw elements.</li>
 * </ul>
 * All pickles go through {@link RestrictedUnpickler}. Storage bytes are not read here; each tensor reads its
 * own range on demand, after its view has been checked against its storage.
 */
final class PthFile implements Closeable {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL_VERSION = 1001;
    /** LONG1, 10 bytes, the magic number little-endian: how every legacy file's first pickle spells it. */
    static final byte[] MAGIC_PICKLED = {(byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20,
        0x6a, (byte) 0xa8, 0x50, 0x19};

    private final String container;
    private final Map<String, StoredTensor> tensors;
    private final Closeable resource;

    private PthFile(String container, Map<String, StoredTensor> tensors, Closeable resource) {
        this.container = container;
        this.tensors = tensors;
        this.resource = resource;
    }

    /** "zip" or "legacy". */
    String container() {
        return container;
    }

    Map<String, StoredTensor> tensors() {
        return tensors;
    }

    static boolean isZip(byte[] head) {
        return head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4;
    }

    /** A pickle (PROTO opcode) whose first value is torch's magic number. */
    static boolean isLegacy(byte[] head) {
        if (head.length < 2 || (head[0] & 0xff) != 0x80) {
            return false;
        }
        for (int i = 2; i <= Math.min(head.length - MAGIC_PICKLED.length, 16); i++) {
            boolean match = true;
            for (int j = 0; j < MAGIC_PICKLED.length && match; j++) {
                match = head[i + j] == MAGIC_PICKLED[j];
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    /** The tar container of torch < 0.1.10: first member 'sys_info', 'pickle', 'storages' or 'tensors'. */
    static boolean isOldTar(byte[] head) {
        if (head.length < 262 || !new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return false;
        }
        int end = 0;
        while (end < 100 && head[end] != 0) {
            end++;
        }
        String first = new String(head, 0, end, StandardCharsets.ISO_8859_1);
        return List.of("sys_info", "pickle", "storages", "tensors").contains(first);
    }

    static PthFile open(Path path, String file) {
        byte[] head;
        try (var in = Files.newInputStream(path)) {
            head = in.readNBytes(512);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        if (head.length < 32) {
            throw new ModelException(file + ": is only " + head.length + " bytes long, too short for a PyTorch file; "
                    + "the file is truncated or corrupt");
        }
        if (isZip(head)) {
            return openZip(path, file);
        }
        if (isLegacy(head)) {
            return openLegacy(path, file);
        }
        if (isOldTar(head)) {
            throw new ModelException(file + ": is in the tar container of PyTorch before 0.1.10, which is not read; "
                    + "load it with an old PyTorch and save the state dict again");
        }
        if (head.length > 0 && (head[0] & 0xff) == 0x80) {
            throw new ModelException(file + ": is a bare pickle, not a torch.save file (no zip container and no "
                    + "torch magic number; or the file is corrupt); save the weights with "
                    + "torch.save(model.state_dict(), path)");
        }
        throw new ModelException(file + ": is not a PyTorch file (neither a zip archive nor a pickle)");
    }

    // ---- zip ------------------------------------------------------------------------------------

    private static PthFile openZip(Path path, String file) {
        ZipFile zip;
        long fileSize;
        try {
            fileSize = Files.size(path);
            zip = new ZipFile(path.toFile());
        } catch (ZipException e) {
            throw new ModelException(file + ": the zip container is unreadable (" + e.getMessage()
                    + "); the file is truncated or corrupt", e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        try {
            ZipBounds.check(zip, file, fileSize);
            ZipEntry pkl = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                String n = e.getName();
                if (n.equals("data.pkl") || n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - 9) {
                    if (pkl != null) {
                        throw new ModelException(file + ": the zip archive holds two pickles (" + SafeText.quoted(pkl.getName())
                                + ", " + SafeText.quoted(n) + "); refusing an ambiguous archive");
                    }
                    pkl = e;
                }
            }
            if (pkl == null) {
                throw new ModelException(file + ": is a zip archive without '<archive>/data.pkl', so not a "
                        + "torch.save file");
            }
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                String v = new String(ZipBounds.readAll(zip, bo, 16, file), StandardCharsets.US_ASCII).strip();
                if (v.equals("big")) {
                    order = ByteOrder.BIG_ENDIAN;
                } else if (!v.equals("little")) {
                    throw new ModelException(file + ": the byteorder record says " + SafeText.quoted(v) + ", expected little or big");
                }
            }
            byte[] pickle = ZipBounds.readAll(zip, pkl, ZipBounds.MAX_PICKLE, file);
            Map<String, StoredTensor.Storage> storages = new HashMap<>();
            ByteOrder byteOrder = order;
            String where = file + " (" + SafeText.of(pkl.getName()) + ")";
            BinaryInput in = BinaryInput.of(pickle, where);
            in.context("the pickle " + SafeText.of(pkl.getName()));
            Object root = new RestrictedUnpickler(in, where, pid -> {
                StorageId id = StorageId.parse(pid, where, false);
                return storages.computeIfAbsent(id.key + "/" + id.type, k -> {
                    ZipEntry data = zip.getEntry(prefix + "data/" + id.key);
                    if (data == null) {
                        throw new ModelException(file + ": the pickle refers to storage " + SafeText.quoted(id.key)
                                + ", but the archive has no entry " + SafeText.quoted(prefix + "data/" + id.key));
                    }
                    long bytes = Math.multiplyExact(id.numel, id.type.size);
                    if (data.getSize() < bytes) {
                        throw new ModelException(file + ": storage " + SafeText.quoted(id.key) + " should hold " + id.numel + " "
                                + id.type.label + " values (" + bytes + " bytes), but its entry " + SafeText.quoted(data.getName())
                                + " has only " + data.getSize() + " bytes; the file is truncated or corrupt");
                    }
                    return new ZipStorage(zip, data, id.type, id.numel, byteOrder, file);
                });
            }).load();
            return new PthFile("zip", tensors(root, file), zip);
        } catch (RuntimeException e) {
            closeQuietly(zip);
            throw e;
        }
    }

    private record ZipStorage(ZipFile zip, ZipEntry entry, ElementType type, long numel, ByteOrder order,
            String file) implements StoredTensor.Storage {
        @Override
        public float[] read(long from, int count) {
            byte[] raw = ZipBounds.readRange(zip, entry, from * type.size, Math.multiplyExact(count, type.size), file);
            return type.toFloats(raw, count, order);
        }
    }

    // ---- legacy ---------------------------------------------------------------------------------

    private static PthFile openLegacy(Path path, String file) {
        BinaryInput in = BinaryInput.open(path, file);
        try {
            in.context("the magic number");
            Object magic = new RestrictedUnpickler(in, file, null).load();
            if (!MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
                throw new ModelException(file + ": starts with a pickle that is not torch's magic number");
            }
            in.context("the protocol version");
            Object version = new RestrictedUnpickler(in, file, null).load();
            if (!(version instanceof Long v) || v != PROTOCOL_VERSION) {
                throw new ModelException(file + ": has torch serialization protocol "
                        + RestrictedUnpickler.describe(version) + "; only " + PROTOCOL_VERSION + " exists");
            }
            in.context("sys_info");
            Object sysInfo = new RestrictedUnpickler(in, file, null).load();
            ByteOrder order = ByteOrder.LITTLE_ENDIAN;
            if (sysInfo instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian"))) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (!(sysInfo instanceof Map)) {
                throw new ModelException(file + ": the sys_info pickle is " + RestrictedUnpickler.describe(sysInfo)
                        + ", not a dict");
            }
            Map<String, LegacyStorage> roots = new LinkedHashMap<>();
            Map<String, StoredTensor.Storage> views = new HashMap<>();
            ByteOrder byteOrder = order;
            in.context("the main pickle");
            Object root = new RestrictedUnpickler(in, file, pid -> {
                StorageId id = StorageId.parse(pid, file, true);
                LegacyStorage r = roots.computeIfAbsent(id.key,
                        k -> new LegacyStorage(in, id.key, id.type, id.numel, byteOrder, file));
                if (r.type != id.type || r.numel != id.numel) {
                    throw new ModelException(file + ": storage " + SafeText.quoted(id.key) + " is referred to as both " + r.type.label
                            + " × " + r.numel + " and " + id.type.label + " × " + id.numel);
                }
                if (id.viewKey == null) {
                    return r;
                }
                if (id.viewOffset < 0 || id.viewSize < 0 || id.viewOffset + id.viewSize > r.numel) {
                    throw new ModelException(file + ": storage view " + SafeText.quoted(id.viewKey) + " (elements " + id.viewOffset
                            + " + " + id.viewSize + ") lies outside storage " + SafeText.quoted(id.key) + " of " + r.numel);
                }
                return views.computeIfAbsent(id.viewKey, k -> new ViewStorage(r, id.viewOffset, id.viewSize));
            }).load();
            in.context("the storage key list");
            Object keys = new RestrictedUnpickler(in, file, null).load();
            if (!(keys instanceof List<?> keyList)) {
                throw new ModelException(file + ": the storage key list is " + RestrictedUnpickler.describe(keys));
            }
            for (Object k : keyList) {
                LegacyStorage s = k instanceof String key ? roots.get(key) : null;
                if (s == null) {
                    throw new ModelException(file + ": the storage key list names " + RestrictedUnpickler.describe(k)
                            + ", which the pickle never refers to");
                }
                if (s.dataStart >= 0) {
                    throw new ModelException(file + ": the storage key list names " + SafeText.quoted(s.key) + " twice");
                }
                in.context("storage " + SafeText.quoted(s.key));
                long numel = order == ByteOrder.LITTLE_ENDIAN ? in.i64() : Long.reverseBytes(in.i64());
                if (numel != s.numel) {
                    throw new ModelException(file + ": storage " + SafeText.quoted(s.key) + " holds " + numel
                            + " values in the file, but the pickle says " + s.numel + "; the file is corrupt");
                }
                long bytes = Math.multiplyExact(numel, s.type.size);
                s.dataStart = in.position();
                in.skip(bytes);
            }
            for (LegacyStorage s : roots.values()) {
                if (s.dataStart < 0) {
                    throw new ModelException(file + ": the pickle refers to storage " + SafeText.quoted(s.key)
                            + ", but the file does not store it");
                }
            }
            return new PthFile("legacy", tensors(root, file), in);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static final class LegacyStorage extends StoredTensor.FileStorage {
        final String key;
        final String file;

        LegacyStorage(BinaryInput in, String key, ElementType type, long numel, ByteOrder order, String file) {
            super(in, type, order);
            this.key = key;
            this.numel = numel;
            this.file = file;
        }
    }

    private record ViewStorage(StoredTensor.Storage root, long base, long numel) implements StoredTensor.Storage {
        @Override
        public ElementType type() {
            return root.type();
        }

        @Override
        public float[] read(long from, int count) {
            return root.read(base + from, count);
        }
    }

    /** A parsed persistent id. */
    private record StorageId(ElementType type, String key, long numel, String viewKey, long viewOffset,
            long viewSize) {
        static StorageId parse(Tuple pid, String where, boolean legacy) {
            if (pid.size() < 5 || pid.size() > 6 || !"storage".equals(pid.get(0))) {
                throw new ModelException(where + ": has a persistent id that is not ('storage', type, key, location, "
                        + "numel" + (legacy ? ", view" : "") + ")");
            }
            if (!(pid.get(1) instanceof Global g) || g.storageType() == null) {
                throw new ModelException(where + ": has a storage of type "
                        + RestrictedUnpickler.describe(pid.get(1)) + "; only torch.FloatStorage, torch.HalfStorage "
                        + "and torch.DoubleStorage (float32, float16, float64) are read");
            }
            Object key = pid.get(2);
            Object numel = pid.get(4);
            if (!(key instanceof String k) || !(numel instanceof Long n) || n < 0) {
                throw new ModelException(where + ": has a malformed storage persistent id (key "
                        + RestrictedUnpickler.describe(key) + ", numel " + RestrictedUnpickler.describe(numel) + ")");
            }
            if (n > 1L << 48) {
                throw new ModelException(where + ": storage " + SafeText.quoted(k) + " declares " + n + " values; refusing it");
            }
            Object view = pid.size() == 6 ? pid.get(5) : null;
            if (view == null) {
                return new StorageId(g.storageType(), k, n, null, 0, 0);
            }
            if (view instanceof Tuple v && v.size() == 3 && v.get(0) instanceof String vk && v.get(1) instanceof Long vo
                    && v.get(2) instanceof Long vs) {
                return new StorageId(g.storageType(), k, n, vk, vo, vs);
            }
            throw new ModelException(where + ": has a malformed storage view " + RestrictedUnpickler.describe(view));
        }
    }

    // ---- the state dict -------------------------------------------------------------------------

    private static Map<String, StoredTensor> tensors(Object root, String file) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new ModelException(file + ": holds " + RestrictedUnpickler.describe(root)
                    + ", not a state dict (a dict of tensors)");
        }
        Map<String, StoredTensor> out = new LinkedHashMap<>();
        List<String> nonTensors = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new ModelException(file + ": the state dict has the key "
                        + RestrictedUnpickler.describe(e.getKey()) + "; keys must be strings");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                nonTensors.add(key);
                continue;
            }
            if (!(t.storage() instanceof StoredTensor.Storage s)) {
                throw new ModelException(file + ": tensor " + SafeText.quoted(key) + " is not backed by a storage of the file");
            }
            out.put(key, new StoredTensor(t.size(), t.stride(), t.offset(), s));
        }
        if (!nonTensors.isEmpty()) {
            String hint = nonTensors.contains("state_dict") || nonTensors.contains("model")
                    ? " (this looks like a training checkpoint: save its state dict alone, e.g. "
                            + "torch.save(ckpt['state_dict'], path))" : "";
            throw new ModelException(file + ": the entries " + nonTensors.subList(0, Math.min(6, nonTensors.size())).stream()
                    .map(SafeText::quoted).collect(java.util.stream.Collectors.joining(", ", "[", "]"))
                    + " are not tensors; a state dict maps keys to tensors" + hint);
        }
        return out;
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    @Override
    public void close() {
        closeQuietly(resource);
    }
}
