package onnxfile

import (
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Decode parses an ONNX model. Fields not modelled by this package are kept
// as they were and written back by Marshal. Tensor data of a decoded
// initializer is not parsed (Floats and Int64s stay nil); the initializer is
// re-encoded byte for byte.
func Decode(data []byte) (*Model, error) {
	m := &Model{}
	var sawGraph bool
	err := fields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, whole []byte) error {
		switch {
		case num == 1 && typ == protowire.VarintType:
			m.IRVersion = int64(x)
		case num == 7 && typ == protowire.BytesType:
			sawGraph = true
			return decodeGraph(&m.Graph, v)
		default:
			m.extra = append(m.extra, whole...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !sawGraph {
		return nil, fmt.Errorf("%w: no graph", ErrFormat)
	}
	if m.extra == nil {
		m.extra = []byte{}
	}
	return m, nil
}

func decodeGraph(g *Graph, data []byte) error {
	return fields(data, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64, whole []byte) error {
		switch {
		case typ != protowire.BytesType:
		case num == 1:
			return decodeInto(&g.Nodes, v, decodeNode)
		case num == 2:
			g.Name = string(v)
			return nil
		case num == 5:
			return decodeInto(&g.Initializers, v, decodeTensor)
		case num == 11:
			return decodeInto(&g.Inputs, v, decodeValueInfo)
		case num == 12:
			return decodeInto(&g.Outputs, v, decodeValueInfo)
		case num == 13:
			return decodeInto(&g.ValueInfo, v, decodeValueInfo)
		}
		g.extra = append(g.extra, whole...)
		return nil
	})
}

// decodeInto decodes data with decode and appends the result to *dst.
func decodeInto[T any](dst *[]T, data []byte, decode func([]byte) (T, error)) error {
	v, err := decode(data)
	*dst = append(*dst, v)
	return err
}

func decodeNode(data []byte) (Node, error) {
	n := Node{raw: data}
	err := bytesFields(data, func(num protowire.Number, v []byte) error {
		switch num {
		case 1:
			n.Inputs = append(n.Inputs, string(v))
		case 2:
			n.Outputs = append(n.Outputs, string(v))
		case 3:
			n.Name = string(v)
		case 4:
			n.OpType = string(v)
		case 5:
			return decodeInto(&n.Attrs, v, decodeAttr)
		case 7:
			n.Domain = string(v)
		}
		return nil
	})
	return n, err
}

func decodeAttr(data []byte) (Attr, error) {
	var a Attr
	err := fields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, _ []byte) (err error) {
		switch {
		case num == 1 && typ == protowire.BytesType:
			a.Name = string(v)
		case num == 20 && typ == protowire.VarintType:
			a.Type = int(x)
		case num == 2 && typ == protowire.Fixed32Type:
			a.F = math.Float32frombits(uint32(x))
		case num == 3 && typ == protowire.VarintType:
			a.I = int64(x)
		case num == 4 && typ == protowire.BytesType:
			a.S = string(v)
		case num == 5 && typ == protowire.BytesType:
			t, err := decodeTensor(v)
			a.T = &t
			return err
		case num == 7:
			err = values(typ, v, x, protowire.Fixed32Type, func(y uint64) {
				a.Floats = append(a.Floats, math.Float32frombits(uint32(y)))
			})
		case num == 8:
			err = values(typ, v, x, protowire.VarintType, appendInt64(&a.Ints))
		}
		return err
	})
	return a, err
}

func decodeTensor(data []byte) (Tensor, error) {
	t := Tensor{raw: data}
	err := fields(data, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, _ []byte) (err error) {
		switch {
		case num == 1:
			err = values(typ, v, x, protowire.VarintType, appendInt64(&t.Dims))
		case num == 2 && typ == protowire.VarintType:
			t.DataType = int(x)
		case num == 8 && typ == protowire.BytesType:
			t.Name = string(v)
		}
		return err
	})
	if err == nil {
		for _, d := range t.Dims {
			if d < 0 {
				return t, fmt.Errorf("%w: tensor %q has a negative dimension (dims %v)", ErrFormat, t.Name, t.Dims)
			}
		}
	}
	return t, err
}

func decodeValueInfo(data []byte) (ValueInfo, error) {
	vi := ValueInfo{raw: data}
	err := bytesFields(data, func(num protowire.Number, v []byte) error {
		switch num {
		case 1:
			vi.Name = string(v)
		case 2: // TypeProto
			return bytesFields(v, func(num protowire.Number, v []byte) error {
				if num != 1 { // tensor_type
					return nil
				}
				return fields(v, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, _ []byte) error {
					switch {
					case num == 1 && typ == protowire.VarintType:
						vi.ElemType = int(x)
					case num == 2 && typ == protowire.BytesType: // shape
						return bytesFields(v, func(num protowire.Number, v []byte) error {
							if num != 1 {
								return nil
							}
							d := int64(-1)
							err := fields(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64, _ []byte) error {
								if num == 1 && typ == protowire.VarintType {
									d = int64(x)
									if d < 0 {
										return fmt.Errorf("%w: value %q has a negative dimension", ErrFormat, vi.Name)
									}
								}
								return nil
							})
							vi.Dims = append(vi.Dims, d)
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	return vi, err
}

// bytesFields calls fn for each length-delimited field of the message in
// data (a string, bytes or a message), with its number and value.
func bytesFields(data []byte, fn func(num protowire.Number, v []byte) error) error {
	return fields(data, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64, _ []byte) error {
		if typ != protowire.BytesType {
			return nil
		}
		return fn(num, v)
	})
}

// fields calls fn for each field of the message in data: its number, wire
// type, the bytes of a length-delimited value, the number of a varint or
// fixed value, and the whole encoded field.
func fields(data []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64, whole []byte) error) error {
	for len(data) > 0 {
		num, typ, n := protowire.ConsumeTag(data)
		if n < 0 {
			return fmt.Errorf("%w: %v", ErrFormat, protowire.ParseError(n))
		}
		m := protowire.ConsumeFieldValue(num, typ, data[n:])
		if m < 0 {
			return fmt.Errorf("%w: %v", ErrFormat, protowire.ParseError(m))
		}
		whole := data[:n+m]
		val := data[n : n+m]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, _ = protowire.ConsumeBytes(val)
		case protowire.VarintType:
			x, _ = protowire.ConsumeVarint(val)
		case protowire.Fixed32Type:
			f, _ := protowire.ConsumeFixed32(val)
			x = uint64(f)
		case protowire.Fixed64Type:
			x, _ = protowire.ConsumeFixed64(val)
		}
		if err := fn(num, typ, v, x, whole); err != nil {
			return err
		}
		data = data[n+m:]
	}
	return nil
}

// values calls fn with each value of one field of a repeated numeric
// field whose values have wire type single (varint, fixed32 or fixed64),
// packed or not. Of malformed packed data, it passes the whole values
// before returning an error.
func values(typ protowire.Type, v []byte, x uint64, single protowire.Type, fn func(uint64)) error {
	if typ == single {
		fn(x)
		return nil
	}
	if typ != protowire.BytesType {
		return fmt.Errorf("%w: bad wire type for a repeated number", ErrFormat)
	}
	for len(v) > 0 {
		var n int
		switch single {
		case protowire.Fixed32Type:
			var y uint32
			y, n = protowire.ConsumeFixed32(v)
			x = uint64(y)
		case protowire.Fixed64Type:
			x, n = protowire.ConsumeFixed64(v)
		default:
			x, n = protowire.ConsumeVarint(v)
		}
		if n < 0 {
			return fmt.Errorf("%w: %v", ErrFormat, protowire.ParseError(n))
		}
		fn(x)
		v = v[n:]
	}
	return nil
}

// appendInt64 returns a values callback appending each value to *dst.
func appendInt64(dst *[]int64) func(uint64) {
	return func(x uint64) { *dst = append(*dst, int64(x)) }
}

// Int64Values returns the values of an int64 tensor (a Reshape's shape),
// from int64_data or raw_data; ok is false for a tensor of another type
// or whose data is malformed.
func (t *Tensor) Int64Values() (vs []int64, ok bool) {
	if t.DataType != Int64 {
		return nil, false
	}
	if t.raw == nil {
		return t.Int64s, true
	}
	err := fields(t.raw, func(num protowire.Number, typ protowire.Type, v []byte, x uint64, _ []byte) (err error) {
		switch {
		case num == 7:
			err = values(typ, v, x, protowire.VarintType, appendInt64(&vs))
		case num == 9 && typ == protowire.BytesType: // raw_data, little-endian as packed fixed64 is
			err = values(typ, v, x, protowire.Fixed64Type, appendInt64(&vs))
		}
		return err
	})
	return vs, err == nil
}
