package org.adain;

import java.nio.file.Path;

/** Run by {@link ReadResizedTest} in a JVM with a small heap: reads an image resized to 256, or whole. */
final class ReadResizedMain {
    private ReadResizedMain() {
    }

    public static void main(String[] args) {
        Path f = Path.of(args[0]);
        ImageTensor t = args[1].equals("resized") ? Images.readResized(f, 256, Images.DEFAULT_DECODE_LIMIT)
                : ImageTensor.fromImage(Images.read(f)).resize(256, false);
        System.out.println("ok " + t.width() + "×" + t.height());
    }
}
