package org.adain.format;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.adain.ModelException;

/**
 * A pickle reader that understands only what a PyTorch state dict needs, and never runs anything.
 *
 * <p>Python's own unpickler resolves every {@code GLOBAL} to an importable callable and calls it on
 * {@code REDUCE}, which is how a hostile {@code .pth} runs code ({@code posix.system}, {@code builtins.eval}...).
 * Here a {@code GLOBAL} can only name one of the inert {@link Global}s below; any other name is refused at the
 * opcode that names it, before any argument is even read. The allowed ones are interpreted, not called:
 * {@code collections.OrderedDict} builds a map, {@code torch._utils._rebuild_tensor_v2} (and its pre-0.4 form
 * {@code _rebuild_tensor}) records a tensor view, the typed storages only tag persistent ids. Persistent ids
 * ({@code BINPERSID}) go to a caller-supplied loader that only records where a storage's bytes are.
 *
 * <p>Opcodes: the binary ones of protocols 1–5 that plain data uses (no {@code INST}/{@code OBJ}/
 * {@code NEWOBJ_EX}, no extension registry, no out-of-band buffers, no text-mode opcodes). Resource use is
 * bounded: the stack and memo are capped, every length is checked against the bytes left before allocating,
 * tuples nest at most {@value #MAX_TUPLE_DEPTH} deep, and nothing is processed recursively afterwards.
 */
final class RestrictedUnpickler {
    static final int MAX_STACK = 1 << 20;
    static final int MAX_MEMO = 1 << 20;
    static final int MAX_TUPLE_DEPTH = 32;
    static final int MAX_LONG_BYTES = 64;
    /** Largest {@link Tuple#weight} of a dict key; a state dict's keys are strings. */
    static final int MAX_KEY_WEIGHT = 1024;

    /** The only Python names a pickle may refer to. */
    enum Global {
        ORDERED_DICT("collections", "OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils", "_rebuild_tensor_v2"),
        REBUILD_TENSOR("torch._utils", "_rebuild_tensor"),
        FLOAT_STORAGE("torch", "FloatStorage"),
        HALF_STORAGE("torch", "HalfStorage"),
        DOUBLE_STORAGE("torch", "DoubleStorage");

        final String module;
        final String name;

        Global(String module, String name) {
            this.module = module;
            this.name = name;
        }

        String qualified() {
            return module + "." + name;
        }

        static Global find(String module, String name) {
            for (Global g : values()) {
                if (g.module.equals(module) && g.name.equals(name)) {
                    return g;
                }
            }
            return null;
        }

        /** The storage element type a storage global stands for, or null. */
        ElementType storageType() {
            return switch (this) {
                case FLOAT_STORAGE -> ElementType.FLOAT32;
                case HALF_STORAGE -> ElementType.FLOAT16;
                case DOUBLE_STORAGE -> ElementType.FLOAT64;
                default -> null;
            };
        }
    }

    /**
     * An immutable Python tuple; {@code depth} is its nesting depth (1 for a flat tuple), {@code weight} the number
     * of values hashing or comparing it visits (shared sub-tuples counted each time they occur, capped): tuples that
     * share their items double in weight with each level, and 32 levels would take 2³² steps to hash.
     */
    record Tuple(List<Object> items, int depth, long weight) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** What {@code _rebuild_tensor_v2(storage, offset, size, stride, ...)} describes. */
    record TensorRef(Object storage, long offset, long[] size, long[] stride) {
    }

    /** Resolves a persistent id (the tuple a {@code BINPERSID} pops) to a storage handle. */
    interface PersistentLoader {
        Object load(Tuple pid);
    }

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final BinaryInput in;
    private final String where;
    private final PersistentLoader loader;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param where  names the pickle in messages: "decoder.pth (data.pkl)"
     * @param loader null when persistent ids are not allowed (the legacy container's header pickles)
     */
    RestrictedUnpickler(BinaryInput in, String where, PersistentLoader loader) {
        this.in = in;
        this.where = where;
        this.loader = loader;
    }

    /** Reads one pickle, up to and including its STOP opcode, and returns its value. */
    Object load() {
        while (true) {
            long at = in.position();
            int op = in.u8();
            switch (op) {
                case 0x80 -> { // PROTO
                    int proto = in.u8();
                    if (proto > 5) {
                        throw fail(at, "uses pickle protocol " + proto + "; at most 5 exists");
                    }
                }
                case 0x95 -> in.i64(); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw fail(at, "ends with " + stack.size() + " values on the stack; a pickle ends with one");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    checkStack(at);
                    marks.add(stack.size());
                }
                case '0' -> pop(at); // POP
                case '1' -> popMark(at); // POP_MARK
                case '2' -> push(at, peek(at)); // DUP
                case 'N' -> push(at, null);
                case 0x88 -> push(at, Boolean.TRUE);
                case 0x89 -> push(at, Boolean.FALSE);
                case 'J' -> push(at, (long) in.i32()); // BININT
                case 'K' -> push(at, (long) in.u8()); // BININT1
                case 'M' -> push(at, (long) in.u16()); // BININT2
                case 0x8a -> push(at, longBytes(at, in.u8())); // LONG1
                case 0x8b -> push(at, longBytes(at, in.i32())); // LONG4
                case 'G' -> { // BINFLOAT: big-endian double
                    push(at, Double.longBitsToDouble(Long.reverseBytes(in.i64())));
                }
                case 'X' -> push(at, text(at, in.u32())); // BINUNICODE
                case 0x8c -> push(at, text(at, in.u8())); // SHORT_BINUNICODE
                case 0x8d -> push(at, text(at, in.i64())); // BINUNICODE8
                case 'T' -> push(at, latin1(at, in.i32())); // BINSTRING (Python 2 str)
                case 'U' -> push(at, latin1(at, in.u8())); // SHORT_BINSTRING
                case 'B' -> push(at, bytes(at, in.u32())); // BINBYTES
                case 'C' -> push(at, bytes(at, in.u8())); // SHORT_BINBYTES
                case 0x8e -> push(at, bytes(at, in.i64())); // BINBYTES8
                case ')' -> push(at, new Tuple(List.of(), 1, 1)); // EMPTY_TUPLE
                case 't' -> push(at, tuple(at, popToMark(at))); // TUPLE
                case 0x85 -> push(at, tuple(at, popN(at, 1))); // TUPLE1
                case 0x86 -> push(at, tuple(at, popN(at, 2))); // TUPLE2
                case 0x87 -> push(at, tuple(at, popN(at, 3))); // TUPLE3
                case ']' -> push(at, new ArrayList<>()); // EMPTY_LIST
                case 'l' -> push(at, new ArrayList<>(popToMark(at))); // LIST
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    list(at, peek(at)).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popToMark(at);
                    list(at, peek(at)).addAll(items);
                }
                case '}' -> push(at, new LinkedHashMap<>()); // EMPTY_DICT
                case 'd' -> { // DICT
                    List<Object> items = popToMark(at);
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putAll(at, m, items);
                    push(at, m);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    dict(at, peek(at)).put(key(at, k), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popToMark(at);
                    putAll(at, dict(at, peek(at)), items);
                }
                case 'q' -> memoPut(at, in.u8()); // BINPUT
                case 'r' -> memoPut(at, in.u32()); // LONG_BINPUT
                case 0x94 -> memoPut(at, memo.size()); // MEMOIZE
                case 'h' -> memoGet(at, in.u8()); // BINGET
                case 'j' -> memoGet(at, in.u32()); // LONG_BINGET
                case 'c' -> { // GLOBAL "module\nname\n"
                    String module = line(at);
                    String name = line(at);
                    push(at, global(at, module, name));
                }
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw fail(at, "has a STACK_GLOBAL whose module and name are not strings");
                    }
                    push(at, global(at, m, n));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    Object callable = pop(at);
                    push(at, reduce(at, callable, args));
                }
                case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                    Object args = pop(at);
                    Object cls = pop(at);
                    if (cls != Global.ORDERED_DICT) {
                        throw fail(at, "creates an object of " + describe(cls) + " with NEWOBJ; only OrderedDict "
                                + "may be created");
                    }
                    push(at, reduce(at, cls, args));
                }
                case 'b' -> { // BUILD
                    Object state = pop(at);
                    Object target = peek(at);
                    if (!(target instanceof Map) || !(state instanceof Map || state == null)) {
                        throw fail(at, "sets the state of " + describe(target) + " (BUILD); only an OrderedDict's "
                                + "attributes (its _metadata) may be set");
                    }
                    // the state is the OrderedDict's __dict__ (torch's _metadata): not needed, ignored
                }
                case 'Q' -> { // BINPERSID
                    Object pid = pop(at);
                    if (loader == null) {
                        throw fail(at, "refers to a persistent object where none is allowed");
                    }
                    if (!(pid instanceof Tuple t)) {
                        throw fail(at, "has a persistent id that is " + describe(pid) + ", not a tuple");
                    }
                    push(at, loader.load(t));
                }
                case 'i', 'o', 0x92 -> throw fail(at, "creates an arbitrary object (opcode "
                        + opName(op) + "); only state-dict types are allowed");
                case 0x82, 0x83, 0x84 -> throw fail(at, "uses the pickle extension registry (opcode "
                        + opName(op) + "); only state-dict types are allowed");
                default -> throw fail(at, "has the pickle opcode " + opName(op)
                        + ", which a PyTorch state dict does not use (text-mode, set or buffer opcodes are not "
                        + "read); the file is corrupt or not a state dict");
            }
        }
    }

    private static String opName(int op) {
        String hex = String.format("0x%02x", op);
        return op >= 0x20 && op < 0x7f ? "'" + (char) op + "' " + hex : hex;
    }

    private ModelException fail(long at, String what) {
        return new ModelException(where + ": the pickle " + what + " (at byte " + at + ")");
    }

    // ---- stack ----------------------------------------------------------------------------------

    private void checkStack(long at) {
        if (stack.size() + marks.size() >= MAX_STACK) {
            throw fail(at, "grows its stack beyond " + MAX_STACK + " entries; refusing it");
        }
    }

    private void push(long at, Object v) {
        checkStack(at);
        stack.add(v);
    }

    private Object pop(long at) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail(at, "pops from an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(long at) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() <= floor) {
            throw fail(at, "reads from an empty stack");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popN(long at, int n) {
        int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
        if (stack.size() - floor < n) {
            throw fail(at, "builds a tuple of " + n + " from a stack holding fewer values");
        }
        List<Object> tail = stack.subList(stack.size() - n, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private List<Object> popToMark(long at) {
        if (marks.isEmpty()) {
            throw fail(at, "uses a MARK that was never set");
        }
        int m = marks.remove(marks.size() - 1);
        List<Object> tail = stack.subList(m, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private void popMark(long at) {
        popToMark(at);
    }

    // ---- values ---------------------------------------------------------------------------------

    private Object longBytes(long at, long n) {
        if (n < 0 || n > MAX_LONG_BYTES) {
            throw fail(at, "has an integer of " + n + " bytes; at most " + MAX_LONG_BYTES + " are read");
        }
        byte[] le = in.bytes(n);
        if (le.length == 0) {
            return 0L;
        }
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) {
            be[i] = le[le.length - 1 - i];
        }
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String text(long at, long n) {
        return new String(bytes(at, n), StandardCharsets.UTF_8);
    }

    private String latin1(long at, long n) {
        if (n < 0) {
            throw fail(at, "has a string of negative length " + n);
        }
        return new String(bytes(at, n), StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(long at, long n) {
        if (n < 0 || n > in.remaining()) {
            throw fail(at, "declares a string of " + n + " bytes but only " + in.remaining()
                    + " are left; the file is truncated or corrupt");
        }
        return in.bytes(n);
    }

    /** A GLOBAL's "module\n" or "name\n" line: printable ASCII, at most 256 characters. */
    private String line(long at) {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.u8();
            if (c == '\n') {
                return sb.toString();
            }
            if (c < 0x20 || c > 0x7e || sb.length() >= 256) {
                throw fail(at, "has a malformed GLOBAL name");
            }
            sb.append((char) c);
        }
    }

    private Tuple tuple(long at, List<Object> items) {
        int depth = 1;
        long weight = 1;
        for (Object o : items) {
            if (o instanceof Tuple t) {
                depth = Math.max(depth, t.depth() + 1);
                weight = Math.min(Long.MAX_VALUE / 2, weight + t.weight());
            } else {
                weight++;
            }
        }
        if (depth > MAX_TUPLE_DEPTH) {
            throw fail(at, "nests tuples more than " + MAX_TUPLE_DEPTH + " deep; refusing it");
        }
        // List.copyOf rejects nulls, and Python's None is a legal tuple item
        return new Tuple(Collections.unmodifiableList(new ArrayList<>(items)), depth, weight);
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(long at, Object o) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw fail(at, "appends to " + describe(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> dict(long at, Object o) {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw fail(at, "sets an item of " + describe(o) + ", not a dict");
    }

    private void putAll(long at, Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw fail(at, "sets dict items from an odd number of values");
        }
        for (int i = 0; i < items.size(); i += 2) {
            m.put(key(at, items.get(i)), items.get(i + 1));
        }
    }

    /** Dict keys must be hashable plain values: strings, numbers, booleans, None or (bounded) tuples of them. */
    private Object key(long at, Object k) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Boolean
                || k instanceof Double || k instanceof byte[]) {
            return k instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : k;
        }
        if (k instanceof Tuple t) {
            if (t.weight() > MAX_KEY_WEIGHT) {
                throw fail(at, "uses a tuple of " + t.weight() + " values (nested) as a dict key; at most "
                        + MAX_KEY_WEIGHT + " are read");
            }
            for (Object o : t.items()) {
                key(at, o);
            }
            return t;
        }
        throw fail(at, "uses " + describe(k) + " as a dict key");
    }

    private void memoPut(long at, long index) {
        if (!memo.containsKey(index) && memo.size() >= MAX_MEMO) {
            throw fail(at, "stores more than " + MAX_MEMO + " memo entries; refusing it");
        }
        memo.put(index, peek(at));
    }

    private void memoGet(long at, long index) {
        if (!memo.containsKey(index)) {
            throw fail(at, "refers to memo entry " + index + ", which was never stored");
        }
        push(at, memo.get(index));
    }

    private Global global(long at, String module, String name) {
        Global g = Global.find(module, name);
        if (g == null) {
            // The same name Python would import; 'posix.system' is how os.system pickles on Linux.
            String qualified = module + "." + name;
            String hint = module.startsWith("torch.nn") || module.equals("__main__")
                    ? " (the file holds a whole pickled model, not a state dict: save model.state_dict() instead)"
                    : module.equals("numpy") || module.startsWith("numpy.")
                    ? " (the file holds numpy arrays, not torch tensors)" : "";
            throw new ModelException(where + ": refused pickle global " + SafeText.quoted(qualified)
                    + ": only state-dict types are allowed (" + allowed() + "); nothing from the file was run"
                    + hint + " (at byte " + at + ")");
        }
        return g;
    }

    static String allowed() {
        StringBuilder sb = new StringBuilder();
        for (Global g : Global.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(g.qualified());
        }
        return sb.toString();
    }

    private Object reduce(long at, Object callable, Object args) {
        if (!(callable instanceof Global g)) {
            throw fail(at, "calls " + describe(callable) + " (REDUCE); only OrderedDict and _rebuild_tensor_v2 "
                    + "may be called");
        }
        if (!(args instanceof Tuple a)) {
            throw fail(at, "calls " + g.qualified() + " with " + describe(args) + " as arguments, not a tuple");
        }
        switch (g) {
            case ORDERED_DICT -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple kv) || kv.size() != 2) {
                            throw fail(at, "builds an OrderedDict from something other than (key, value) pairs");
                        }
                        m.put(key(at, kv.get(0)), kv.get(1));
                    }
                } else if (a.size() != 0) {
                    throw fail(at, "builds an OrderedDict from " + a.size() + " arguments");
                }
                return m;
            }
            case REBUILD_TENSOR_V2, REBUILD_TENSOR -> {
                // v2: (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                // v1 (torch < 0.4): (storage, storage_offset, size, stride)
                int min = g == Global.REBUILD_TENSOR ? 4 : 6;
                int max = g == Global.REBUILD_TENSOR ? 4 : 7;
                if (a.size() < min || a.size() > max) {
                    throw fail(at, "calls " + g.qualified() + " with " + a.size() + " arguments; expected "
                            + (min == max ? min : min + " to " + max));
                }
                long offset = integer(at, a.get(1), "the storage offset");
                long[] size = integers(at, a.get(2), "the size");
                long[] stride = integers(at, a.get(3), "the stride");
                if (size.length != stride.length) {
                    throw fail(at, "rebuilds a tensor with " + size.length + " sizes but " + stride.length
                            + " strides");
                }
                if (size.length > StoredTensor.MAX_DIMS) {
                    throw fail(at, "rebuilds a tensor of " + size.length + " dimensions");
                }
                if (g == Global.REBUILD_TENSOR_V2) {
                    Object hooks = a.get(5);
                    if (hooks instanceof Map<?, ?> h && !h.isEmpty()) {
                        throw fail(at, "rebuilds a tensor with backward hooks; a state dict has none");
                    }
                }
                return new TensorRef(a.get(0), offset, size, stride);
            }
            default -> throw fail(at, "calls " + g.qualified() + "; a storage type is only a tag in a persistent id");
        }
    }

    private long integer(long at, Object o, String what) {
        if (o instanceof Long l) {
            return l;
        }
        throw fail(at, "rebuilds a tensor whose " + what + " is " + describe(o) + ", not an integer");
    }

    private long[] integers(long at, Object o, String what) {
        List<Object> items;
        if (o instanceof Tuple t) {
            items = t.items();
        } else if (o instanceof List<?> l) {
            items = new ArrayList<>(l);
        } else {
            throw fail(at, "rebuilds a tensor whose " + what + " is " + describe(o) + ", not a tuple");
        }
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(at, items.get(i), what);
            if (out[i] < 0) {
                throw fail(at, "rebuilds a tensor with a negative " + what + " " + out[i]);
            }
        }
        return out;
    }

    /** A short, non-recursive description of a pickle value for messages. */
    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return g.qualified();
        }
        if (o instanceof String s) {
            return "the string '" + SafeText.of(s, 40) + "'";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "the integer " + o;
        }
        if (o instanceof Tuple t) {
            return "a tuple of " + t.size();
        }
        if (o instanceof List<?> l) {
            return "a list of " + l.size();
        }
        if (o instanceof Map<?, ?> m) {
            return "a dict of " + m.size();
        }
        if (o instanceof TensorRef t) {
            return "a tensor of shape " + Arrays.toString(t.size());
        }
        if (o instanceof byte[] b) {
            return b.length + " bytes";
        }
        return o.getClass().getSimpleName();
    }
}
