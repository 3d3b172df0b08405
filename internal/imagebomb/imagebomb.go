// Package imagebomb writes image bombs for tests: tiny files whose headers
// claim enormous images, which a decoder without a limit tries to allocate
// at once.
package imagebomb

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/crc32"
)

// A Bomb is one image bomb.
type Bomb struct {
	Name string // a file name with the format's extension
	Data []byte
	// Width and Height are what the header claims.
	Width, Height int
}

// All returns the bombs: a 74-byte PNG and a 54-byte BMP that claim 100000 x
// 100000 pixels (40 GB of RGBA), and a 1-bit gray PNG of 40000 x 40000
// whose 190 kB hold every pixel, valid to the last byte, that decodes into
// 1.6 GB.
func All() []Bomb {
	return []Bomb{
		{"claims-100000x100000.png", HeaderPNG(100000, 100000), 100000, 100000},
		{"claims-100000x100000.bmp", HeaderBMP(100000, 100000), 100000, 100000},
		{"zeros-40000x40000-1bit.png", OneBitPNG(40000, 40000), 40000, 40000},
	}
}

// HeaderPNG returns a 74-byte PNG whose header claims an RGB image of w x
// h pixels, followed by a few bytes of pixel data and the end.
func HeaderPNG(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk(&b, "IHDR", ihdr(w, h, 8, 2))
	// A zlib stream of one stored block of 6 zero bytes: 17 bytes.
	chunk(&b, "IDAT", []byte{0x78, 0x01, 0x01, 0x06, 0x00, 0xf9, 0xff, 0, 0, 0, 0, 0, 0, 0x00, 0x06, 0x00, 0x01})
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

// HeaderBMP returns a 54-byte BMP whose header claims a 24-bit image of w x
// h pixels, and holds none.
func HeaderBMP(w, h int) []byte {
	b := make([]byte, 54)
	copy(b, "BM")
	rowSize := (w*3 + 3) &^ 3
	binary.LittleEndian.PutUint32(b[2:], uint32(54+rowSize*h))
	binary.LittleEndian.PutUint32(b[10:], 54)
	binary.LittleEndian.PutUint32(b[14:], 40)
	binary.LittleEndian.PutUint32(b[18:], uint32(w))
	binary.LittleEndian.PutUint32(b[22:], uint32(h))
	binary.LittleEndian.PutUint16(b[26:], 1)
	binary.LittleEndian.PutUint16(b[28:], 24)
	return b
}

// OneBitPNG returns a complete, valid 1-bit gray PNG of w x h black pixels.
// Its data compresses a thousandfold: it is built from one compressed
// stretch of rows, repeated, without compressing every row.
func OneBitPNG(w, h int) []byte {
	rowLen := 1 + (w+7)/8 // filter byte and packed pixels, all zero
	rowsPerPiece := 1
	for rowsPerPiece*rowLen < 1<<20 && h%(rowsPerPiece*2) == 0 {
		rowsPerPiece *= 2
	}
	var piece bytes.Buffer
	fw, _ := flate.NewWriter(&piece, flate.BestCompression)
	fw.Write(make([]byte, rowsPerPiece*rowLen))
	fw.Flush() // ends on a byte boundary: pieces concatenate
	var z bytes.Buffer
	z.Write([]byte{0x78, 0xda})
	for range h / rowsPerPiece {
		z.Write(piece.Bytes())
	}
	z.Write([]byte{0x03, 0x00}) // an empty final block
	// Adler-32 of n zero bytes: a stays 1, b is n mod 65521.
	n := uint64(rowLen) * uint64(h)
	z.Write(binary.BigEndian.AppendUint32(nil, uint32(n%65521)<<16|1))

	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk(&b, "IHDR", ihdr(w, h, 1, 0))
	chunk(&b, "IDAT", z.Bytes())
	chunk(&b, "IEND", nil)
	return b.Bytes()
}

func ihdr(w, h int, depth, colorType byte) []byte {
	d := binary.BigEndian.AppendUint32(nil, uint32(w))
	d = binary.BigEndian.AppendUint32(d, uint32(h))
	return append(d, depth, colorType, 0, 0, 0)
}

func chunk(b *bytes.Buffer, typ string, data []byte) {
	b.Write(binary.BigEndian.AppendUint32(nil, uint32(len(data))))
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	b.WriteString(typ)
	b.Write(data)
	b.Write(binary.BigEndian.AppendUint32(nil, crc.Sum32()))
}
