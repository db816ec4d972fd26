using System.Text;
using Madoguchi.Web.Features.Exports;
using MiniExcelLibs;

namespace Madoguchi.Tests.Features.Exports;

/// <summary>
/// 50,000 rows through an output that, like an HTTP response, takes only asynchronous writes: the
/// export reaches the output while rows are still being produced (it does not build the file
/// first), and everything reads back.
/// </summary>
public sealed class LargeExportTests
{
    private const int Count = 50_000;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string[] Headings = ["受付番号", "氏名", "フリガナ", "受付日", "手数料", "交付済"];

    /// <summary>Write-only, unseekable, asynchronous only; remembers how much had arrived at a given moment.</summary>
    private sealed class ResponseLikeStream : Stream
    {
        public MemoryStream Received { get; } = new();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Received.Write(buffer.Span);
            return ValueTask.CompletedTask;
        }
        public override void Write(byte[] buffer, int offset, int count) => throw new InvalidOperationException("Synchronous operations are disallowed.");
        public override void Flush() => throw new InvalidOperationException("Synchronous operations are disallowed.");
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    private static async IAsyncEnumerable<ExportCell[]> Rows(ResponseLikeStream output, Action<long> beforeLast)
    {
        var start = new DateOnly(2025, 4, 1);
        for (var i = 1; i <= Count; i++)
        {
            if (i == Count) beforeLast(output.Received.Length);
            if (i % 1000 == 0) await Task.Yield();
            yield return [$"R7-{i:000000}", $"区民 {i}", "クミン", start.AddDays(i % 365), 300 + i % 7, i % 2 == 0];
        }
    }

    [Fact]
    public async Task Fifty_thousand_rows_of_xlsx_stream_to_an_async_only_output_and_read_back()
    {
        var output = new ResponseLikeStream();
        long before = 0;
        var outcome = await ExportWriter.WriteXlsxAsync(output, Headings, Rows(output, n => before = n), ct: Ct);

        Assert.Equal(Count, outcome.Rows);
        // More than a megabyte had gone out before the last row was even produced.
        Assert.True(before > 1024 * 1024, $"only {before} bytes written before the last row");
        output.Received.Position = 0;
        var read = 0;
        IDictionary<string, object?>? last = null;
        foreach (var row in MiniExcel.Query(output.Received, useHeaderRow: true, excelType: ExcelType.XLSX).Cast<IDictionary<string, object?>>())
        {
            read++;
            last = row;
        }
        Assert.Equal(Count, read);
        Assert.Equal("R7-050000", last!["受付番号"]);
        Assert.Equal("区民 50000", last["氏名"]);
    }

    [Fact]
    public async Task Fifty_thousand_rows_of_cp932_csv_stream_and_read_back()
    {
        var output = new ResponseLikeStream();
        long before = 0;
        var outcome = await ExportWriter.WriteCsvAsync(output, Headings, Rows(output, n => before = n), CsvEncoding.Cp932, Ct);

        Assert.Equal(Count, outcome.Rows);
        Assert.True(outcome.Exact);
        Assert.True(before > 1024 * 1024, $"only {before} bytes written before the last row");
        var lines = Encoding.GetEncoding(932).GetString(output.Received.ToArray()).Split("\r\n");
        Assert.Equal(Count + 2, lines.Length); // headings, rows, and the empty string after the last CRLF
        Assert.Equal("受付番号,氏名,フリガナ,受付日,手数料,交付済", lines[0]);
        Assert.Equal("R7-050000,区民 50000,クミン,2026-03-27,306,TRUE", lines[Count]);
    }
}
