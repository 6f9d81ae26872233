package org.adain.format;

import java.io.IOException;
import java.io.InputStream;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.adain.ModelException;

/**
 * Limits on the zip container, checked on the central directory before any entry is read, and bounded reads.
 * Nothing is ever extracted to disk, but names are still held to what {@code torch.save} writes
 * ({@code <archive>/data.pkl}, {@code <archive>/data/<key>}, …), so a crafted archive is refused outright.
 */
final class ZipBounds {
    /** Total uncompressed size of all entries: the real VGG-19 is 80 MB, 4 GiB is far beyond any AdaIN model. */
    static final long MAX_TOTAL = 4L << 30;
    /** Largest uncompressed-to-compressed ratio of a deflated entry (torch stores entries uncompressed). */
    static final long MAX_RATIO = 200;
    static final int MAX_ENTRIES = 100_000;
    /** Largest data.pkl read into memory; the real models' are a few kB. */
    static final long MAX_PICKLE = 64L << 20;

    private ZipBounds() {
    }

    static void check(ZipFile zip, String file, long fileSize) {
        Set<String> names = new HashSet<>();
        long total = 0;
        int count = 0;
        for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements();) {
            ZipEntry e = en.nextElement();
            if (++count > MAX_ENTRIES) {
                throw new ModelException(file + ": the zip archive has more than " + MAX_ENTRIES
                        + " entries; refusing it");
            }
            String name = e.getName();
            checkName(name, file);
            if (!names.add(name)) {
                throw new ModelException(file + ": the zip archive holds the entry " + SafeText.quoted(name)
                        + " twice; refusing an ambiguous archive");
            }
            long size = e.getSize();
            long compressed = e.getCompressedSize();
            if (size < 0 || compressed < 0) {
                throw new ModelException(file + ": the zip entry " + SafeText.quoted(name)
                        + " does not declare its size");
            }
            if (e.getMethod() == ZipEntry.STORED && size > fileSize) {
                throw new ModelException(file + ": the zip entry " + SafeText.quoted(name) + " claims " + size
                        + " stored bytes, more than the whole file (" + fileSize + " bytes)");
            }
            if (e.getMethod() != ZipEntry.STORED && size > compressed * MAX_RATIO + 4096) {
                throw new ModelException(file + ": the zip entry " + SafeText.quoted(name) + " would inflate "
                        + compressed + " bytes to " + size + " (ratio over " + MAX_RATIO + "); refusing a zip bomb");
            }
            total += size;
            if (total > MAX_TOTAL) {
                throw new ModelException(file + ": the zip entries add up to more than " + (MAX_TOTAL >> 30)
                        + " GiB uncompressed; refusing it");
            }
        }
    }

    /** Entry names as torch writes them: relative, '/'-separated, no '..', no drive letters or control bytes. */
    static void checkName(String name, String file) {
        int colon = name.indexOf(':');
        boolean bad = name.isEmpty() || name.startsWith("/") || name.contains("\\") || colon >= 0 && colon < 3;
        for (String part : name.split("/", -1)) {
            if (part.equals("..")) {
                bad = true;
            }
        }
        for (int i = 0; i < name.length(); i++) {
            if (name.charAt(i) < 0x20) {
                bad = true;
            }
        }
        if (bad) {
            throw new ModelException(file + ": the zip entry name " + SafeText.quoted(name) + " is absolute or leaves "
                    + "the archive ('..'); refusing the file");
        }
    }

    /** The whole entry, at most {@code max} bytes, checked against its declared size. */
    static byte[] readAll(ZipFile zip, ZipEntry e, long max, String file) {
        long size = e.getSize();
        if (size > max) {
            throw new ModelException(file + ": the zip entry " + SafeText.quoted(e.getName()) + " holds " + size
                    + " bytes, more than the " + max + " allowed for it");
        }
        try (InputStream in = zip.getInputStream(e)) {
            byte[] data = in.readNBytes((int) size);
            if (data.length != size) {
                throw new ModelException(file + ": the zip entry " + SafeText.quoted(e.getName()) + " ends after "
                        + data.length + " of its " + size + " bytes; the file is truncated or corrupt");
            }
            return data;
        } catch (IOException ex) {
            throw new ModelException(file + ": cannot read the zip entry " + SafeText.quoted(e.getName()) + " ("
                    + ex.getMessage() + "); the file is truncated or corrupt", ex);
        }
    }

    /** {@code length} bytes from {@code offset} of an entry; the range must lie inside its declared size. */
    static byte[] readRange(ZipFile zip, ZipEntry e, long offset, int length, String file) {
        if (offset < 0 || offset + length > e.getSize()) {
            throw new ModelException(file + ": reading bytes " + offset + "…" + (offset + length)
                    + " of the zip entry " + SafeText.quoted(e.getName()) + ", which holds " + e.getSize());
        }
        try (InputStream in = zip.getInputStream(e)) {
            in.skipNBytes(offset);
            byte[] data = in.readNBytes(length);
            if (data.length != length) {
                throw new ModelException(file + ": the zip entry " + SafeText.quoted(e.getName())
                        + " ends early; the file is truncated or corrupt");
            }
            return data;
        } catch (IOException ex) {
            throw new ModelException(file + ": cannot read the zip entry " + SafeText.quoted(e.getName()) + " ("
                    + ex.getMessage() + "); the file is truncated or corrupt", ex);
        }
    }
}
