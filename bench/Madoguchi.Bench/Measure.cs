using System.Diagnostics;

namespace Madoguchi.Bench;

/// <summary>Wall time, bytes allocated and the peak working set of one phase (sampled every 10 ms).</summary>
internal sealed record Measurement(TimeSpan Elapsed, long AllocatedBytes, long PeakWorkingSet)
{
    public static async Task<(T Result, Measurement Measurement)> RunAsync<T>(Func<Task<T>> phase)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var peak = process.WorkingSet64;
        using var stop = new CancellationTokenSource();
        // The process peak only ever grows; sampling gives the peak of this phase alone.
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                process.Refresh();
                peak = Math.Max(peak, process.WorkingSet64);
                try { await Task.Delay(10, stop.Token); } catch (OperationCanceledException) { }
            }
        });
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        var result = await phase();
        watch.Stop();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        await stop.CancelAsync();
        await sampler;
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        return (result, new Measurement(watch.Elapsed, bytes, peak));
    }
}
