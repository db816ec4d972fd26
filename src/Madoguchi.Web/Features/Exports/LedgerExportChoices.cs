namespace Madoguchi.Web.Features.Exports;

/// <summary>What the export choices (_LedgerExportChoices.cshtml) offer and which are chosen.</summary>
public sealed record LedgerExportChoices(bool Filtered, bool OfferSelected, bool HasTemplate, string Scope, string Format)
{
    public string? ScopeError { get; init; }
    public string? FormatError { get; init; }
}
