package recordfile

// SetChunkSize makes the JSON Lines chunks that o reads about n bytes
// long, so that tests cross chunks with little data.
func SetChunkSize(o *Options, n int) { o.chunkSize = n }
