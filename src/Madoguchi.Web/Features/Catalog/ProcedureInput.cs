using System.Globalization;
using System.Text;

namespace Madoguchi.Web.Features.Catalog;

/// <summary>Parsing of what staff type into procedure fields.</summary>
public static class ProcedureInput
{
    /// <summary>"2024-07-01", "2024/7/1" or a month "2024-07" (its 1st day), full-width digits allowed.</summary>
    public static bool TryParseDateOrMonth(string text, out DateOnly date)
    {
        var s = text.Normalize(NormalizationForm.FormKC).Trim().Replace('/', '-');
        if (DateOnly.TryParseExact(s, ["yyyy-MM-dd", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)) return true;
        if (DateOnly.TryParseExact(s + "-01", ["yyyy-MM-dd", "yyyy-M-dd"], CultureInfo.InvariantCulture, DateTimeStyles.None, out date)) return true;
        date = default;
        return false;
    }
}
