using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Madoguchi.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class QueueCore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<TimeOnly>(
                name: "ClosesAt",
                table: "Offices",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeOnly(17, 0, 0));

            migrationBuilder.AddColumn<TimeOnly>(
                name: "OpensAt",
                table: "Offices",
                type: "TEXT",
                nullable: false,
                defaultValue: new TimeOnly(8, 30, 0));

            migrationBuilder.AddColumn<int>(
                name: "OverflowFrom",
                table: "Offices",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OverflowTo",
                table: "Offices",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "TicketsAnyHour",
                table: "Offices",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "CounterShifts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    CounterId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Date = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ServiceIds = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    Steps = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    AssignedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CounterShifts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "KioskDevices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_KioskDevices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_KioskDevices_Offices_OfficeId",
                        column: x => x.OfficeId,
                        principalTable: "Offices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QueueCounters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueCounters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QueueCounters_Offices_OfficeId",
                        column: x => x.OfficeId,
                        principalTable: "Offices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QueueSections",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Colour = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueSections", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QueueSections_Offices_OfficeId",
                        column: x => x.OfficeId,
                        principalTable: "Offices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Tickets",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ServiceDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Number = table.Column<int>(type: "INTEGER", nullable: false),
                    Overflow = table.Column<bool>(type: "INTEGER", nullable: false),
                    ServiceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Step = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ArrivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    QueuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CalledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CounterId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReturnsAt = table.Column<long>(type: "INTEGER", nullable: true),
                    NoShows = table.Column<int>(type: "INTEGER", nullable: false),
                    Priority = table.Column<bool>(type: "INTEGER", nullable: false),
                    Language = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    StatusToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    KioskName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Tickets", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "QueueServices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    SectionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEn = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    NameEasy = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    RangeFrom = table.Column<int>(type: "INTEGER", nullable: false),
                    RangeTo = table.Column<int>(type: "INTEGER", nullable: false),
                    Steps = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    RemoteTickets = table.Column<bool>(type: "INTEGER", nullable: false),
                    SortOrder = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QueueServices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QueueServices_QueueSections_SectionId",
                        column: x => x.SectionId,
                        principalTable: "QueueSections",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "TicketEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    TicketId = table.Column<Guid>(type: "TEXT", nullable: false),
                    OfficeId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ServiceDate = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ServiceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Step = table.Column<int>(type: "INTEGER", nullable: false),
                    CounterId = table.Column<Guid>(type: "TEXT", nullable: true),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_TicketEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_TicketEvents_Tickets_TicketId",
                        column: x => x.TicketId,
                        principalTable: "Tickets",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CounterShifts_CounterId_Date",
                table: "CounterShifts",
                columns: new[] { "CounterId", "Date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_KioskDevices_OfficeId",
                table: "KioskDevices",
                column: "OfficeId");

            migrationBuilder.CreateIndex(
                name: "IX_QueueCounters_OfficeId_Number",
                table: "QueueCounters",
                columns: new[] { "OfficeId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QueueSections_OfficeId_Name",
                table: "QueueSections",
                columns: new[] { "OfficeId", "Name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QueueServices_OfficeId",
                table: "QueueServices",
                column: "OfficeId");

            migrationBuilder.CreateIndex(
                name: "IX_QueueServices_SectionId",
                table: "QueueServices",
                column: "SectionId");

            migrationBuilder.CreateIndex(
                name: "IX_TicketEvents_OfficeId_ServiceDate_Kind",
                table: "TicketEvents",
                columns: new[] { "OfficeId", "ServiceDate", "Kind" });

            migrationBuilder.CreateIndex(
                name: "IX_TicketEvents_TicketId",
                table: "TicketEvents",
                column: "TicketId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_CounterId_Status",
                table: "Tickets",
                columns: new[] { "CounterId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_OfficeId_ServiceDate_Number",
                table: "Tickets",
                columns: new[] { "OfficeId", "ServiceDate", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_OfficeId_ServiceDate_Status",
                table: "Tickets",
                columns: new[] { "OfficeId", "ServiceDate", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_StatusToken",
                table: "Tickets",
                column: "StatusToken",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CounterShifts");

            migrationBuilder.DropTable(
                name: "KioskDevices");

            migrationBuilder.DropTable(
                name: "QueueCounters");

            migrationBuilder.DropTable(
                name: "QueueServices");

            migrationBuilder.DropTable(
                name: "TicketEvents");

            migrationBuilder.DropTable(
                name: "QueueSections");

            migrationBuilder.DropTable(
                name: "Tickets");

            migrationBuilder.DropColumn(
                name: "ClosesAt",
                table: "Offices");

            migrationBuilder.DropColumn(
                name: "OpensAt",
                table: "Offices");

            migrationBuilder.DropColumn(
                name: "OverflowFrom",
                table: "Offices");

            migrationBuilder.DropColumn(
                name: "OverflowTo",
                table: "Offices");

            migrationBuilder.DropColumn(
                name: "TicketsAnyHour",
                table: "Offices");
        }
    }
}
