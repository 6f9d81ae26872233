#!/usr/bin/python3
"""Writes the HDF5 feature fixtures of adain-api's pure-Java HDF5 reader (org.adain.format.Hdf5File):
adain-api/src/test/resources/org/adain/format/hdf5/*.h5, each made by h5py (libhdf5), an independent writer.

Run with Debian's /usr/bin/python3 (apt-get install python3-h5py). Every file holds the same content, written in
a different flavour of the format; Hdf5FileTest checks that the reader sees exactly this content in each:

  root attributes  fixed ('S7' "fixed"), vlen ("variable length"), names (vlen list "a","bb","ccc"),
                   ints (int32 [1, -2, 3]), empty (float64 [], as Keras writes weight_names of weightless layers)
  group 'g'        members m000 ... m{N-1} (N = MEMBERS), each a group with attribute 'index' (int64 i)
  'data/...'       datasets of VALUES(n)[i] = i * 0.5 - 3 reshaped:
                   contiguous f32 [3, 4]; compact f32 [4]; chunked f32 [10, 7] in (4, 3) chunks with shuffle and
                   gzip; chunked_plain f32 [200, 3] in (2, 3) chunks (many chunks); single f32 [5, 5] in one
                   gzip chunk; fletcher f32 [6] in (4,) chunks with fletcher32; f16be [8]; f64be [2, 3]; i16 [5];
                   u8 [4] (VALUES + 3 truncated: 0, 0, 1, 1)
  'attrs'          a group with ATTRS attributes a00 ... (int64 i): more than 8 makes them dense with libver latest
  'refused/...'    lzf (filter 32000), scaleoffset, extensible (maxshape (None,): extensible array index in the
                   1.10 format), btree2 (maxshape (None, None)), soft (a soft link), external (an external link)
Flavours: earliest.h5 (superblock 0, object header v1, symbol tables in B-trees of small K, so of two levels), latest.h5 (superblock 3, object header v2,
link messages, dense links and attributes, layout v4 indexes), v18.h5 (superblock 2), sb1.h5 (superblock 1: a
non-default chunk B-tree K), small_offsets.h5 (4-byte offsets and lengths), userblock.h5 (512-byte user block),
early_alloc.h5 (latest, chunks allocated early without filters: the implicit chunk index).
"""
import ctypes
import re
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'adain-api', 'src', 'test', 'resources',
                   'org', 'adain', 'format', 'hdf5')
MEMBERS = 40
ATTRS = 12


def values(n):
    return np.arange(n, dtype=np.float64) * 0.5 - 3


def fill(f, early=False):
    f.attrs['fixed'] = np.bytes_('fixed')
    f.attrs['vlen'] = 'variable length'
    f.attrs.create('names', ['a', 'bb', 'ccc'], dtype=h5py.string_dtype())
    f.attrs['ints'] = np.array([1, -2, 3], dtype=np.int32)
    f.attrs['empty'] = np.zeros((0,), dtype=np.float64)
    g = f.create_group('g')
    for i in range(MEMBERS):
        g.create_group('m%03d' % i).attrs['index'] = np.int64(i)
    d = f.create_group('data')
    d.create_dataset('contiguous', data=values(12).reshape(3, 4).astype('<f4'))
    space = h5py.h5s.create_simple((4,))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    ds = h5py.h5d.create(d.id, b'compact', h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, values(4).astype('<f4'))
    if early:
        # no filters and space allocated at creation: HDF5 1.10 indexes these chunks implicitly
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((4, 3))
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
        ds = h5py.h5d.create(d.id, b'chunked', h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((10, 7)), dcpl=dcpl)
        ds.write(h5py.h5s.ALL, h5py.h5s.ALL, values(70).reshape(10, 7).astype('<f4'))
    else:
        d.create_dataset('chunked', data=values(70).reshape(10, 7).astype('<f4'), chunks=(4, 3), shuffle=True,
                         compression='gzip')
    d.create_dataset('chunked_plain', data=values(600).reshape(200, 3).astype('<f4'), chunks=(2, 3))
    d.create_dataset('single', data=values(25).reshape(5, 5).astype('<f4'), chunks=(5, 5), compression='gzip')
    d.create_dataset('fletcher', data=values(6).astype('<f4'), chunks=(4,), fletcher32=True)
    d.create_dataset('f16be', data=values(8).astype('>f2'))
    d.create_dataset('f64be', data=values(6).reshape(2, 3).astype('>f8'))
    d.create_dataset('i16', data=values(5).astype('<i2'))
    d.create_dataset('u8', data=(values(4) + 3).astype('u1'))
    a = f.create_group('attrs')
    for i in range(ATTRS):
        a.attrs['a%02d' % i] = np.int64(i)
    r = f.create_group('refused')
    r.create_dataset('lzf', data=values(8).astype('<f4'), chunks=(4,), compression='lzf')
    r.create_dataset('scaleoffset', data=values(8).astype('<f4'), chunks=(4,), scaleoffset=2)
    r.create_dataset('extensible', data=values(8).astype('<f4'), chunks=(4,), maxshape=(None,))
    r.create_dataset('btree2', data=values(8).reshape(2, 4).astype('<f4'), chunks=(1, 4), maxshape=(None, None))
    r['soft'] = h5py.SoftLink('/data/contiguous')
    r['external'] = h5py.ExternalLink('other.h5', '/x')


def libhdf5(name, argtypes, *args):
    """Calls a libhdf5 function h5py does not wrap, in the libhdf5 h5py itself loaded."""
    libs = [l for l in open('/proc/self/maps').read().split() if re.search(r'libhdf5[^/]*\.so', l)]
    fn = getattr(ctypes.CDLL(sorted(set(libs))[0]), name)
    fn.argtypes = argtypes
    if fn(*args) < 0:
        raise RuntimeError(name + ' failed')


def set_istore_k(fcpl):
    libhdf5('H5Pset_istore_k', [ctypes.c_int64, ctypes.c_uint], fcpl.id, 64)


def set_sym_k(fcpl):
    libhdf5('H5Pset_sym_k', [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint], fcpl.id, 2, 2)


def main():
    os.makedirs(OUT, exist_ok=True)

    def make(name, **kw):
        path = os.path.join(OUT, name)
        early = kw.pop('early', False)
        with h5py.File(path, 'w', **kw) as f:
            fill(f, early)
        print('wrote', path, os.path.getsize(path), 'bytes')

    make('latest.h5', libver='latest')
    make('v18.h5', libver=('v108', 'v108'))
    make('userblock.h5', userblock_size=512)
    make('early_alloc.h5', libver='latest', early=True)
    # group B-trees of 4 children and symbol nodes of 4 entries: 40 members make a B-tree of two levels
    for name, tweak in (('earliest.h5', set_sym_k), ('sb1.h5', set_istore_k),
                        ('small_offsets.h5', lambda p: p.set_sizes(4, 4))):
        fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
        tweak(fcpl)
        path = os.path.join(OUT, name)
        fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl)
        with h5py.File(fid) as f:
            fill(f)
        print('wrote', path, os.path.getsize(path), 'bytes')


if __name__ == '__main__':
    main()
