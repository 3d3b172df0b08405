package recordfile

import (
	"io"

	"github.com/parquet-go/parquet-go"
)

// SetChunkSize makes the JSON Lines chunks that o reads about n bytes
// long, so that tests cross chunks with little data.
func SetChunkSize(o *Options, n int) { o.chunkSize = n }

// NewParquetWriterWith returns a ParquetWriter writing with opts after its
// own, for other page layouts and codecs.
func NewParquetWriterWith(w io.Writer, opts ...parquet.WriterOption) *ParquetWriter {
	return newParquetWriter(w, opts...)
}
