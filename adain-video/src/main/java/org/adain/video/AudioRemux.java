package org.adain.video;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_query_codec;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Muxes the encoded video with the input's audio packets, copied as they are (no decoding, no re-encoding), with
 * FFmpeg's libavformat directly: JavaCV's recorder copies either all streams of an input or none.
 */
final class AudioRemux {
    private AudioRemux() {
    }

    static void remux(Path video, Path audioFrom, Path out, String format, Path userOutput) {
        AVFormatContext vIn = open(video);
        AVFormatContext aIn = null;
        AVFormatContext oc = null;
        AVPacket pkt = av_packet_alloc();
        try {
            aIn = open(audioFrom);
            int vIdx = av_find_best_stream(vIn, AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            int aIdx = av_find_best_stream(aIn, AVMEDIA_TYPE_AUDIO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            if (vIdx < 0 || aIdx < 0) {
                throw new VideoException("Copying the audio of " + audioFrom + " into " + userOutput
                        + " failed: no " + (vIdx < 0 ? "video stream in the encoded video" : "audio stream"));
            }
            oc = new AVFormatContext(null);
            check(avformat_alloc_output_context2(oc, null, format, out.toString()), "allocating the " + format
                    + " muxer", userOutput);
            AVStream vInS = vIn.streams(vIdx);
            AVStream aInS = aIn.streams(aIdx);
            int audioCodec = aInS.codecpar().codec_id();
            if (avformat_query_codec(oc.oformat(), audioCodec, 0 /* FF_COMPLIANCE_NORMAL */) != 1) {
                throw new VideoException("The audio of " + audioFrom + " is " + avcodec_get_name(audioCodec)
                        .getString() + ", which cannot be copied into a " + format + " file (" + userOutput
                        + "); choose an .mkv output, which takes any audio codec");
            }
            AVStream vOut = newStream(oc, vInS, userOutput);
            AVStream aOut = newStream(oc, aInS, userOutput);
            AVIOContext pb = new AVIOContext(null);
            check(avio_open(pb, out.toString(), AVIO_FLAG_WRITE), "opening the file", userOutput);
            oc.pb(pb);
            check(avformat_write_header(oc, (AVDictionary) null), "writing the header", userOutput);
            boolean vMore = true;
            boolean aMore = true;
            double vNext = 0;
            double aNext = 0;
            // feed the stream that is behind, so the muxer's interleaving queue stays short
            while (vMore || aMore) {
                boolean takeVideo = vMore && (!aMore || vNext <= aNext);
                AVFormatContext in = takeVideo ? vIn : aIn;
                int want = takeVideo ? vIdx : aIdx;
                AVStream inS = takeVideo ? vInS : aInS;
                AVStream outS = takeVideo ? vOut : aOut;
                int r = av_read_frame(in, pkt);
                if (r < 0) {
                    if (takeVideo) {
                        vMore = false;
                    } else {
                        aMore = false;
                    }
                    continue;
                }
                try {
                    if (pkt.stream_index() != want) {
                        continue;
                    }
                    long ts = pkt.dts() != AV_NOPTS_VALUE ? pkt.dts() : pkt.pts();
                    if (ts != AV_NOPTS_VALUE) {
                        double t = ts * av_q2d(inS.time_base());
                        if (takeVideo) {
                            vNext = t;
                        } else {
                            aNext = t;
                        }
                    }
                    pkt.stream_index(outS.index());
                    av_packet_rescale_ts(pkt, inS.time_base(), outS.time_base());
                    pkt.pos(-1);
                    check(av_interleaved_write_frame(oc, pkt), "writing a packet", userOutput);
                } finally {
                    av_packet_unref(pkt);
                }
            }
            check(av_write_trailer(oc), "writing the trailer", userOutput);
        } finally {
            av_packet_free(pkt);
            if (oc != null) {
                if (oc.pb() != null) {
                    avio_closep(oc.pb());
                }
                avformat_free_context(oc);
            }
            avformat_close_input(vIn);
            if (aIn != null) {
                avformat_close_input(aIn);
            }
        }
    }

    private static AVStream newStream(AVFormatContext oc, AVStream in, Path userOutput) {
        AVStream s = avformat_new_stream(oc, null);
        if (s == null) {
            throw new VideoException("Writing " + userOutput + " failed: FFmpeg could not add a stream");
        }
        check(avcodec_parameters_copy(s.codecpar(), in.codecpar()), "copying stream parameters", userOutput);
        s.codecpar().codec_tag(0); // let the muxer pick the tag its container uses
        s.time_base(in.time_base());
        return s;
    }

    private static AVFormatContext open(Path file) {
        AVFormatContext ctx = new AVFormatContext(null);
        int r = avformat_open_input(ctx, file.toString(), null, null);
        if (r < 0) {
            throw new VideoException("Re-opening " + file + " to copy its audio failed: " + error(r));
        }
        r = avformat_find_stream_info(ctx, (PointerPointer<?>) null);
        if (r < 0) {
            avformat_close_input(ctx);
            throw new VideoException("Re-opening " + file + " to copy its audio failed: " + error(r));
        }
        return ctx;
    }

    private static void check(int r, String step, Path userOutput) {
        if (r < 0) {
            throw new VideoException("Writing " + userOutput + " failed while " + step + ": " + error(r));
        }
    }

    static String error(int code) {
        byte[] buf = new byte[256];
        av_strerror(code, buf, buf.length);
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8) + " (" + code + ")";
    }
}
