using Madoguchi.Web.Data;
using Madoguchi.Web.Features.Queue.Live;
using Microsoft.EntityFrameworkCore;

namespace Madoguchi.Web.Features.Queue;

/// <summary>The ticket behind a slip's QR code, for its live status page: one indexed lookup per page load, the position comes from the snapshot.</summary>
public sealed class TicketLookup(MadoguchiDbContext db) : ITicketLookup
{
    public async Task<TicketRef?> FindAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64) return null;
        return await db.Tickets.AsNoTracking().Where(t => t.StatusToken == token)
            .Select(t => new TicketRef(t.OfficeId, t.Number, t.ArrivedAt)).FirstOrDefaultAsync(ct);
    }
}
