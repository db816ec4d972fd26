using System.Buffers;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// A write-only, unseekable buffer between synchronous writers (StreamWriter, ZipArchive) and the
/// caller's stream, which may allow only asynchronous writes (an HTTP response). The export drains
/// it after each row once it holds <see cref="Threshold"/> bytes, so memory stays at about one chunk
/// whatever the number of rows.
/// </summary>
internal sealed class ChunkStream : Stream
{
    public const int Threshold = 128 * 1024;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Threshold * 2);
    private int _length;
    private long _written;

    public bool Full => _length >= Threshold;

    public async ValueTask DrainAsync(Stream output, CancellationToken ct)
    {
        if (_length == 0) return;
        await output.WriteAsync(_buffer.AsMemory(0, _length), ct);
        _length = 0;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_length + buffer.Length > _buffer.Length)
        {
            // A single write larger than the buffer (rare: a huge cell) grows it once.
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + buffer.Length));
            _buffer.AsSpan(0, _length).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
        _written += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void WriteByte(byte value) => Write([value]);
    public override void Flush() { }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
        base.Dispose(disposing);
    }
}
