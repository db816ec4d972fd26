using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Madoguchi.Web.Shared.Localization;

namespace Madoguchi.Web.Features.Forms;

/// <summary>
/// What a fee comes to (docs/forms-format.md, fee <c>per</c>): a flat fee is its yen; a fee per unit is
/// its yen × the count answered, in whole yen (integers only, so there is nothing to round), and only its
/// unit price while the count is not answered.
/// </summary>
public static class FeeAmounts
{
    /// <summary>The number field a fee is charged per; null for a flat fee.</summary>
    public static FormField? PerField(FormDefinition form, FeeDisplay fee)
    {
        ArgumentNullException.ThrowIfNull(form);
        ArgumentNullException.ThrowIfNull(fee);
        return fee.Per is null ? null : form.AllFields.FirstOrDefault(f => f.Key == fee.Per);
    }

    /// <summary>The count answered for a fee per unit, from the checked answers (numbers are stored as "2"); null when not answered.</summary>
    public static long? Count(FeeDisplay fee, JsonObject answers)
    {
        ArgumentNullException.ThrowIfNull(fee);
        ArgumentNullException.ThrowIfNull(answers);
        if (fee.Per is null || !answers.TryGetPropertyValue(fee.Per, out var node) || node is not JsonValue value) return null;
        var text = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    /// <summary>The yen the resident pays for these answers; null when the fee is per unit and the count is not answered.</summary>
    public static long? Amount(FeeDisplay fee, JsonObject answers)
    {
        ArgumentNullException.ThrowIfNull(fee);
        if (fee.Per is null) return fee.Yen;
        // The parser keeps yen × the field's max within FormParser.MaxFeeYen, and answers are checked against max.
        return Count(fee, answers) is long count ? checked(fee.Yen * count) : null;
    }

    /// <summary>The price as the start and fill pages show it: "300円", or "1通につき300円" for a fee per unit.</summary>
    public static string Price(FormDefinition form, FeeDisplay fee, Language language)
    {
        ArgumentNullException.ThrowIfNull(fee);
        return fee.Per is null ? ResidentFormat.Yen(fee.Yen, language) : ResidentFormat.YenEach(fee.Yen, PerField(form, fee)?.Settings.Unit, language);
    }

    /// <summary>The fee on the check page: "300円", "300円 × 2通 = 600円", or the unit price while the count is not answered.</summary>
    public static string Charged(FormDefinition form, FeeDisplay fee, JsonObject answers, Language language)
    {
        ArgumentNullException.ThrowIfNull(fee);
        if (fee.Per is null) return ResidentFormat.Yen(fee.Yen, language);
        return Count(fee, answers) is long count
            ? ResidentFormat.YenTimes(fee.Yen, count, PerField(form, fee)?.Settings.Unit, language)
            : Price(form, fee, language);
    }
}
