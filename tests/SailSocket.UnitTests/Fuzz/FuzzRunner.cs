using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace SailSocket.UnitTests.Fuzz;

/// <summary>
/// Feeds a decoder <see cref="FuzzSettings.Iterations"/> inputs from a <see cref="Mutator"/> and fails on the first
/// exception that is not one the decoder documents, naming the input so that it reproduces. It also bounds the managed
/// memory: the bytes one input may allocate (a decoder must not allocate from a length it read) and the heap after the run.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>
    /// What one input may allocate: a fixed allowance (exception objects, stack traces) plus a multiple of its size. The
    /// JSON readers were seen to allocate up to ~34 bytes per input byte on 100 KB strings and numbers (docs/fuzzing.md).
    /// </summary>
    private const long FixedAllocationAllowance = 256 * 1024;
    private const int AllocationPerInputByte = 64;

    /// <summary>How much the heap may grow over a whole run (nothing a decoder returns is kept).</summary>
    private const long HeapGrowthAllowance = 32L * 1024 * 1024;

    public delegate bool ExceptionFilter(Exception exception);

    public static FuzzResult Run(
        ITestOutputHelper output,
        string decoder,
        IReadOnlyList<byte[]> seeds,
        int shortRunIterations,
        Action<byte[]> decode,
        ExceptionFilter isDocumented,
        int allocationPerInputByte = AllocationPerInputByte)
    {
        var iterations = FuzzSettings.Iterations(shortRunIterations);
        var mutator = new Mutator(FuzzSettings.Seed ^ StableHash(decoder), seeds);
        var documented = new Dictionary<string, int>(StringComparer.Ordinal);
        var accepted = 0;
        long worstAllocation = 0;
        var worstInputLength = 0;

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            var input = i < seeds.Count ? seeds[i] : mutator.Next(); // the real frames first, unmutated
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                decode(input);
                accepted++;
            }
            catch (Exception ex) when (isDocumented(ex))
            {
                var name = ex.GetType().Name;
                documented[name] = documented.GetValueOrDefault(name) + 1;
            }
            catch (Exception ex)
            {
                throw new FuzzFailureException($"{decoder}: input #{i} (seed {FuzzSettings.Seed}) threw an undocumented {ex.GetType().FullName}: {ex.Message}\ninput: {Describe(input)}", ex);
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > worstAllocation)
            {
                worstAllocation = allocated;
                worstInputLength = input.Length;
            }

            if (allocated > FixedAllocationAllowance + ((long)allocationPerInputByte * input.Length))
            {
                throw new FuzzFailureException($"{decoder}: input #{i} of {input.Length} bytes allocated {allocated} bytes.\ninput: {Describe(input)}");
            }
        }

        stopwatch.Stop();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var result = new FuzzResult(decoder, iterations, accepted, documented, stopwatch.Elapsed, worstAllocation, worstInputLength, heapAfter - heapBefore);
        output.WriteLine(result.ToString());
        if (heapAfter - heapBefore > HeapGrowthAllowance)
        {
            throw new FuzzFailureException($"{decoder}: the heap grew by {heapAfter - heapBefore} bytes over {iterations} inputs.");
        }

        return result;
    }

    /// <summary>FNV-1a of the decoder's name: each decoder gets its own input stream, the same on every run and machine.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    /// <summary>The input as C#-escaped text, shortened in the middle when long, so it can be pasted into a regression test.</summary>
    public static string Describe(byte[] input)
    {
        var builder = new StringBuilder();
        builder.Append(input.Length).Append(" bytes: \"");
        for (var i = 0; i < input.Length; i++)
        {
            if (input.Length > 400 && i == 200)
            {
                builder.Append("\" … \"");
                i = input.Length - 200;
            }

            var b = input[i];
            if (b is >= 0x20 and < 0x7F && b != (byte)'"' && b != (byte)'\\')
            {
                builder.Append((char)b);
            }
            else
            {
                builder.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.Append('"').ToString();
    }
}

internal sealed record FuzzResult(
    string Decoder,
    int Iterations,
    int Accepted,
    IReadOnlyDictionary<string, int> Documented,
    TimeSpan Elapsed,
    long WorstAllocation,
    int WorstInputLength,
    long HeapGrowth)
{
    public override string ToString() =>
        $"{Decoder}: {Iterations} inputs in {Elapsed.TotalMilliseconds:0} ms; accepted {Accepted}; " +
        $"{string.Join(", ", Documented.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"))}; " +
        $"worst allocation {WorstAllocation} B (input of {WorstInputLength} B); heap growth {HeapGrowth} B";
}

internal sealed class FuzzFailureException : Exception
{
    public FuzzFailureException(string message)
        : base(message)
    {
    }

    public FuzzFailureException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
