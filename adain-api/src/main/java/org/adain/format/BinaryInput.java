package org.adain.format;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.adain.ModelException;

/**
 * A bounded little-endian reader over a file (buffered, with positional reads for bulk data) or a byte array.
 * Every read checks the bytes exist first, so a truncated or lying file ends in a {@link ModelException}
 * naming the file, the position and what was being read, never in an allocation sized by the file.
 */
final class BinaryInput implements Closeable {
    private static final int WINDOW = 1 << 16;

    private final String file;
    private final FileChannel channel;
    private final long size;
    private final ByteBuffer buf;
    /** File position of {@code buf}'s index 0 (files only). */
    private long bufStart;
    private String context = "the file";

    private BinaryInput(String file, FileChannel channel, long size, ByteBuffer buf, long bufStart) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.buf = buf.order(ByteOrder.LITTLE_ENDIAN);
        this.bufStart = bufStart;
    }

    static BinaryInput open(Path path, String file) {
        try {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            ByteBuffer b = ByteBuffer.allocate(WINDOW);
            b.limit(0);
            return new BinaryInput(file, ch, ch.size(), b, 0);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
    }

    static BinaryInput of(byte[] data, String file) {
        return new BinaryInput(file, null, data.length, ByteBuffer.wrap(data), 0);
    }

    String file() {
        return file;
    }

    /** What is being read, for truncation messages ("the pickle data.pkl", "storage '3'"). */
    void context(String what) {
        this.context = what;
    }

    long size() {
        return size;
    }

    long position() {
        return bufStart + buf.position();
    }

    long remaining() {
        return size - position();
    }

    void seek(long pos) {
        if (pos < 0 || pos > size) {
            throw truncated(pos, 0);
        }
        if (channel == null) {
            buf.position((int) pos);
        } else if (pos >= bufStart && pos <= bufStart + buf.limit()) {
            buf.position((int) (pos - bufStart));
        } else {
            bufStart = pos;
            buf.clear().limit(0);
        }
    }

    void skip(long n) {
        if (n < 0 || n > remaining()) {
            throw truncated(position(), n);
        }
        seek(position() + n);
    }

    /** Ensures {@code n} (≤ WINDOW) bytes are in the buffer at its position. */
    private void need(int n) {
        if (n > remaining()) {
            throw truncated(position(), n);
        }
        if (buf.remaining() >= n) {
            return;
        }
        long pos = position();
        buf.clear();
        bufStart = pos;
        buf.limit((int) Math.min(buf.capacity(), size - pos));
        try {
            while (buf.hasRemaining()) {
                if (channel.read(buf, pos + buf.position()) < 0) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
        buf.flip();
        if (buf.remaining() < n) {
            throw truncated(pos, n);
        }
    }

    int u8() {
        need(1);
        return buf.get() & 0xff;
    }

    int u16() {
        need(2);
        return buf.getShort() & 0xffff;
    }

    int i32() {
        need(4);
        return buf.getInt();
    }

    long u32() {
        return i32() & 0xffffffffL;
    }

    long i64() {
        need(8);
        return buf.getLong();
    }

    double f64() {
        need(8);
        return buf.getDouble();
    }

    /** {@code n} bytes; n is checked against the bytes left before anything is allocated. */
    byte[] bytes(long n) {
        if (n < 0 || n > remaining()) {
            throw truncated(position(), n);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new ModelException(file + ": " + context + " declares a block of " + n
                    + " bytes, more than any weight file holds");
        }
        byte[] out = new byte[(int) n];
        if (channel == null || n <= WINDOW) {
            int done = 0;
            while (done < n) {
                int chunk = (int) Math.min(n - done, WINDOW);
                need(chunk);
                buf.get(out, done, chunk);
                done += chunk;
            }
            return out;
        }
        readAt(position(), out);
        seek(position() + n);
        return out;
    }

    /** Fills {@code dst} from file position {@code pos} without moving the read position. */
    void readAt(long pos, byte[] dst) {
        if (pos < 0 || pos + dst.length > size) {
            throw truncated(pos, dst.length);
        }
        if (channel == null) {
            System.arraycopy(buf.array(), (int) pos, dst, 0, dst.length);
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(dst);
        try {
            while (b.hasRemaining()) {
                if (channel.read(b, pos + b.position()) < 0) {
                    throw truncated(pos, dst.length);
                }
            }
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read the file (" + e.getMessage() + ")", e);
        }
    }

    ModelException truncated(long at, long needed) {
        return new ModelException(file + ": the file is truncated or corrupt: reading " + context + " needs "
                + needed + " byte(s) at byte " + at + ", but the " + (channel == null ? "data ends" : "file ends")
                + " at byte " + size);
    }

    @Override
    public void close() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only channel: nothing was written that could be lost
            }
        }
    }
}
