"""Use cases. Each service method is one unit of work; edges call services, services call the domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from csms.config import Settings
from csms.db.batching import GroupCommitter
from csms.db.uow import UnitOfWork
from csms.domain.events import EventBus
from csms.domain.throttle import BudgetPolicy, FailureBudget
from csms.domain.timeutil import Clock, utcnow
from csms.services.api_tokens import ApiTokenService
from csms.services.boot_intervals import BootIntervalService
from csms.services.carbon import CarbonService, factor_from_settings
from csms.services.carbon_records import CarbonRecordService, SignedMeterService
from csms.services.certificates import StationCertificateAuthority
from csms.services.commands import CommandService
from csms.services.compliance import ComplianceService
from csms.services.costs import CostService
from csms.services.customer_data import CustomerDataService
from csms.services.customer_information import CustomerInformationService
from csms.services.demand_response import DemandResponseService
from csms.services.display_messages import DisplayMessageService
from csms.services.ev_needs import EvNeedsService
from csms.services.firmware import FirmwareService
from csms.services.flexibility import FlexibilityService
from csms.services.gateway import NoStations, StationGateway
from csms.services.ids import IdService
from csms.services.iso15118 import Iso15118Service
from csms.services.local_list import LocalListService
from csms.services.metering import MeterService
from csms.services.monitoring import MonitoringService
from csms.services.ocsp_trust import load_trust
from csms.services.overview import OverviewService
from csms.services.presence import Presence
from csms.services.reservations import ReservationService
from csms.services.sites import SiteService
from csms.services.smart_charging import SmartChargingService
from csms.services.station_auth import StationAuthService
from csms.services.station_security import StationSecurityService
from csms.services.stations import MessageQuota, StationService
from csms.services.tariff_messages import TariffMessagePublisher
from csms.services.tariffs import TariffService
from csms.services.tokens import TokenService
from csms.services.transaction_sync import TransactionSyncService
from csms.services.transactions import TransactionService

if TYPE_CHECKING:
    from csms.services.energy_manager import EnergyManager


@dataclass
class Services:
    clock: Clock
    uow: UnitOfWork
    events: EventBus
    """Domain events of every use case; subscribers: the energy manager, the compliance cross-check."""
    stations: StationService
    station_auth: StationAuthService
    """Who may open an OCPP websocket (the handshake's passwords, certificates and failure budgets)."""
    tokens: TokenService
    transactions: TransactionService
    meters: MeterService
    committer: GroupCommitter
    api_tokens: ApiTokenService
    sites: SiteService
    demand_response: DemandResponseService
    carbon: CarbonService
    commands: CommandService
    gateway: StationGateway
    """Connected stations (``is_online``); commands go through ``commands``."""
    presence: Presence
    """Which stations are heard, live (a subscriber of the station events)."""
    compliance: ComplianceService
    ids: IdService
    """Ids the CSMS gives stations, unique across nodes and restarts."""
    security: StationSecurityService
    """Security profiles per station, their upgrade, password rotation (issue 13)."""
    iso15118: Iso15118Service
    """OCSP lookups and the contract-certificate provider (block M, C07)."""
    tariffs: TariffService
    costs: CostService
    transaction_sync: TransactionSyncService
    boot_intervals: BootIntervalService
    flexibility: FlexibilityService
    """The measured flexibility of the sites and the district (issue 17)."""
    ev_needs: EvNeedsService
    """EV charging needs per session (2.0.1 NotifyEVChargingNeeds, the operator's API)."""
    signed_meter: SignedMeterService
    """The signed meter values (OCMF...) stations send, kept per session."""
    carbon_records: CarbonRecordService
    """碳普惠 session records with provenance, methodology and signed meter values."""
    overview: OverviewService
    """The operator's overview: stations online/offline/faulted, power now, sessions of the day."""
    energy: EnergyManager | None = None
    """The site energy manager; the lifespan builds it once the connection registry exists."""
    certificates: StationCertificateAuthority | None = None
    """Signs stations' certificate requests; ``None`` without a configured station CA."""
    smart_charging: SmartChargingService | None = None
    """Installed-profile reports and external limits (K09, K12, K13)."""
    reservations: ReservationService | None = None
    firmware: FirmwareService | None = None
    monitoring: MonitoringService | None = None  # block N: monitors, customer information (issue 13)
    customer_information: CustomerInformationService | None = None
    display: DisplayMessageService | None = None
    """Display messages per station (2.0.1 block O)."""
    tariff_messages: TariffMessagePublisher | None = None
    """The tariff texts set on stations (2.0.1 I04, I05)."""
    local_list: LocalListService | None = None
    """The local authorization list each station holds (2.0.1 block D, 1.6 LocalAuthListManagement)."""

    def now(self) -> datetime:
        return self.clock()


def build_services(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    clock: Clock = utcnow,
    gateway: StationGateway | None = None,
) -> Services:
    """The use cases over one database; ``gateway`` reaches connected stations (none if not given)."""
    events = EventBus()
    gateway = gateway or NoStations()
    presence = Presence(events, clock)
    uow = UnitOfWork(sessions)
    committer = GroupCommitter(uow, max_delay_s=settings.group_commit_delay_s)
    transactions = TransactionService(uow, committer, clock, events)
    ids = IdService(uow, clock, settings.node_id)
    display = DisplayMessageService(uow, clock, gateway, ids)
    boot_intervals = BootIntervalService(uow, clock)
    sites = SiteService(uow, clock, events, max_future_s=settings.energy_telemetry_max_future_s)
    demand_response = DemandResponseService(uow, clock, events)
    carbon = CarbonService(
        uow, clock, factor_from_settings(settings), credit_per_kg_co2=settings.carbon_credit_per_kg_co2
    )
    station_auth = StationAuthService(
        uow,
        clock,
        unknown_policy=settings.unknown_station_policy,
        events=events,
        budget=FailureBudget(BudgetPolicy(
            allowed_failures=settings.handshake_failures_allowed,
            base_backoff_s=settings.handshake_backoff_base_s,
            max_backoff_s=settings.handshake_backoff_max_s,
            forget_after_s=settings.handshake_failure_memory_s,
        )),
        hash_slots=settings.handshake_hash_concurrency,
    )
    return Services(
        clock=clock,
        uow=uow,
        events=events,
        station_auth=station_auth,
        stations=StationService(
            uow,
            committer,
            clock,
            auth=station_auth,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            pending_retry_interval_s=settings.pending_retry_interval_s,
            events=events,
            quota=MessageQuota(settings.station_messages_max_count, settings.station_messages_max_bytes),
            boot_intervals=boot_intervals.overrides,
        ),
        tokens=TokenService(uow, clock),
        transactions=transactions,
        meters=MeterService(committer),
        committer=committer,
        api_tokens=ApiTokenService(uow, clock),
        sites=sites,
        demand_response=demand_response,
        carbon=carbon,
        commands=CommandService(gateway, transactions, ids, display),
        gateway=gateway,
        presence=presence,
        compliance=ComplianceService(uow, clock, presence, gateway),
        ids=ids,
        smart_charging=SmartChargingService(uow, clock, events, gateway, ids),
        reservations=ReservationService(uow, clock, gateway, ids),
        local_list=LocalListService(uow, clock, gateway),
        firmware=FirmwareService(uow, clock, gateway, ids),
        monitoring=MonitoringService(uow, clock, gateway, ids),
        customer_information=CustomerInformationService(uow, clock, gateway, ids, CustomerDataService(uow)),
        display=display,
        tariff_messages=TariffMessagePublisher(uow, gateway),
        security=StationSecurityService(uow, clock, gateway),
        iso15118=Iso15118Service(
            ocsp_responder_url=settings.ocsp_responder_url, ocsp_timeout_s=settings.ocsp_timeout_s,
            provider_url=settings.contract_certificate_provider_url,
            provider_timeout_s=settings.contract_certificate_timeout_s,
            station_responders=settings.ocsp_station_responders,
            trusted=load_trust(settings.ocsp_trust_file), clock=clock,
        ),
        tariffs=TariffService(uow, clock),
        costs=CostService(uow, clock, events),
        transaction_sync=TransactionSyncService(uow, clock),
        boot_intervals=boot_intervals,
        flexibility=FlexibilityService(uow, clock, sites, demand_response, gateway),
        ev_needs=EvNeedsService(uow, clock, events),
        signed_meter=SignedMeterService(uow, clock),
        carbon_records=CarbonRecordService(uow, carbon),
        overview=OverviewService(uow, gateway),
        certificates=(
            StationCertificateAuthority.from_files(
                settings.station_ca_cert_file, settings.station_ca_key_file,  # type: ignore[arg-type]
                settings.station_cert_validity_days, clock,
            )
            if settings.station_ca_cert_file
            else None
        ),
    )
