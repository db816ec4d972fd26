using System.Text;

namespace Madoguchi.Web.Features.Exports;

/// <summary>
/// Which characters Shift_JIS (cp932) holds, decided once per UTF-16 code unit and cached: a character
/// counts only when it encodes and decodes back to itself, so best-fit look-alikes (e.g. a character
/// mapped to a similar one) count as missing. Characters outside the BMP (𠮷, IVS selectors) never fit.
/// </summary>
internal static class Cp932Check
{
    private static readonly Encoding Encoding;
    // 0 = not yet known, 1 = fits, 2 = missing. Races only repeat the same computation.
    private static readonly byte[] Known = new byte[65536];

    static Cp932Check()
    {
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        Encoding = System.Text.Encoding.GetEncoding(932, new EncoderReplacementFallback(""), new DecoderReplacementFallback("\uFFFD"));
    }

    /// <summary>The cp932 encoding that writes 〓 for anything the caller did not replace first (a last safety net).</summary>
    public static Encoding Writer { get; } = CreateWriter();

    private static Encoding CreateWriter()
    {
        System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return System.Text.Encoding.GetEncoding(932, new EncoderReplacementFallback(Replacement.Mark), DecoderFallback.ReplacementFallback);
    }

    public static bool Fits(char c)
    {
        if (c < 0x80) return true;
        if (char.IsSurrogate(c)) return false;
        var k = Known[c];
        if (k == 0)
        {
            k = Compute(c) ? (byte)1 : (byte)2;
            Known[c] = k;
        }
        return k == 1;
    }

    /// <summary>Index of the first character cp932 lacks, or -1.</summary>
    public static int FirstMissing(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (!Fits(s[i])) return i;
        }
        return -1;
    }

    private static bool Compute(char c)
    {
        Span<char> one = [c];
        Span<byte> bytes = stackalloc byte[8];
        var n = Encoding.GetBytes(one, bytes);
        if (n == 0) return false;
        Span<char> back = stackalloc char[4];
        var m = Encoding.GetChars(bytes[..n], back);
        return m == 1 && back[0] == c;
    }
}
