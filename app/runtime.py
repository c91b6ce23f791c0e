"""The running parts of one process, built once from Settings and shared by the app, the CLI
and the tests: engines, the ingest writer, the hot-list index, the bulletin watch, officers,
beats, images, the push sender and worker, and the threads that keep them in step.

`Runtime.build` wires everything without starting a thread; `start` loads the hot lists and
starts the writer, the worker (which runs the alerts' timers too), the LISTEN thread, the
audit checkpoints and, with the worker, housekeeping (retention); `stop` undoes it in reverse
and disposes of the engines.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from alerts import compose
from alerts.lifecycle import Escalation
from alerts.policy import Attention, DispatchRules
from alerts.push import PushSender
from alerts.routing import PriorityRouting, Tier
from app.audit import checkpoints, keys
from app.audit.checkpoints import Checkpointer
from app.audit.keys import AuditKey
from app.auth import changes
from app.auth.changes import CREDENTIAL_CHANNEL, CredentialWatch
from app.auth.throttle import Throttle
from app.auth.tokens import Principals
from app.bulletins.push import BulletinContext
from app.bulletins.rules import Rules
from app.bulletins.watch import BULLETIN_CHANNEL, BulletinWatch
from app.clock import Clock
from app.db import make_engine, transaction
from app.delivery import outbox
from app.delivery.recipients import AlertSettings
from app.delivery.worker import Worker, WorkerConfig, new_worker_id
from app.hotlists.index import HOTLIST_CHANNEL, HotListIndex
from app.housekeeping import Housekeeper
from app.intake.images import ImageStore
from app.intake.service import Intake
from app.intake.sources import CameraSources
from app.lifecycle.config import LifecycleConfig
from app.lifecycle.timers import TimerRunner
from app.officers import beats
from app.officers.beats import BeatTagger
from app.officers.tracker import OfficerTracker
from app.pg_listen import Listener
from app.reads.cameras import CameraKeys
from app.reads.stored import VehicleTrust
from app.reads.writer import IngestWriter
from app.retention import policy
from app.retention.enforce import Enforcer
from app.retention.policy import Policy
from app.settings import PolicySettings, RoutingSettings, Settings
from geo.areas import Growth
from geo.zones import BeatMap

log = logging.getLogger(__name__)

CREDENTIAL_POLL_S = 0.5  # a deactivation holds in every process within a second


def priority_routing(
    routing: RoutingSettings, policy: PolicySettings | None = None
) -> PriorityRouting:
    """The rings per priority. The first push goes to the fewest best placed (`policy`'s
    first_push_pN, capped by routing_max_officers); escalation widens when nobody responds."""
    policy = policy or PolicySettings()
    first, widest, most = routing.first_radius_m, routing.radius_m, routing.max_officers
    first = min(first, widest)
    p1, p2, p3 = (min(n, most) for n in (policy.first_push_p1, policy.first_push_p2,
                                         policy.first_push_p3))  # fmt: skip
    beat = policy.beat_up_to_priority
    return PriorityRouting(
        # A felony stop needs a second unit: P1 widens until two are found.
        p1=Tier(
            _radii(first, widest, 2 * widest),
            max_officers=p1,
            min_officers=min(2, p1),
            include_beat=beat >= 1,
        ),
        p2=Tier(_radii(first, widest), max_officers=p2, include_beat=beat >= 2),
        p3=Tier((widest,), max_officers=p3, include_beat=beat >= 3),
        fresh_for=timedelta(seconds=routing.location_fresh_s),
    )


def _radii(*radii: float) -> tuple[float, ...]:
    return tuple(sorted(set(radii)))


def alert_settings(settings: Settings) -> AlertSettings:
    return AlertSettings(
        routing=priority_routing(settings.routing, settings.policy),
        detail=compose.Detail(settings.push.notification_detail),
        ttl_s=settings.push.alert_ttl_s,
        tz=ZoneInfo(settings.agency_timezone),
        merge_window=timedelta(seconds=settings.alerting.merge_window_s),
        push_interval=timedelta(seconds=settings.alerting.push_interval_s),
        retro_push_within=timedelta(seconds=settings.alerting.retro_push_within_s),
        trust=vehicle_trust(settings),
        lifecycle=lifecycle_config(settings),
        quiet_interval=timedelta(seconds=settings.policy.quiet_update_interval_s),
        attention=Attention(
            skip_busy_from_priority=settings.policy.skip_busy_from_priority,
            budget_per_hour=settings.policy.attention_budget_per_hour,
            budget_from_priority=settings.policy.attention_budget_from_priority,
            budget_window=timedelta(seconds=settings.policy.attention_budget_window_s),
        ),
        dispatch=DispatchRules(
            from_priority=settings.policy.dispatch_first_from_priority,
            misreads=settings.policy.dispatch_first_misreads,
            min_confidence=settings.policy.dispatch_first_min_confidence,
        ),
    )


def lifecycle_config(settings: Settings) -> LifecycleConfig:
    group = settings.lifecycle
    return LifecycleConfig(
        escalation=Escalation(
            p1=timedelta(seconds=group.escalate_p1_s), p2=timedelta(seconds=group.escalate_p2_s)
        ),
        confirm_urgent=timedelta(seconds=group.confirm_urgent_s),
        confirm_routine=timedelta(seconds=group.confirm_routine_s),
        review_after_false_hits=group.review_after_false_hits,
    )


def vehicle_trust(settings: Settings) -> VehicleTrust:
    group = settings.alerting
    return VehicleTrust(
        make=group.vehicle_make_min_confidence,
        model=group.vehicle_model_min_confidence,
        color=group.vehicle_color_min_confidence,
        type=group.vehicle_type_min_confidence,
    )


def bulletin_rules(settings: Settings) -> Rules:
    group = settings.bulletins
    return Rules(
        growth=Growth(speed_mps=group.speed_mps, max_reach_m=group.max_growth_m),
        retro_margin=timedelta(seconds=group.retro_margin_s),
        trust=vehicle_trust(settings),
    )


def retention_policy(settings: Settings) -> Policy:
    """The template LOOKOUT_RETENTION_POLICY names, with the LOOKOUT_RETENTION_*_S overrides
    (breadcrumbs: LOOKOUT_BREADCRUMBS_KEEP_S) and the audit floor applied."""
    group = settings.retention

    def seconds(value: int | None) -> timedelta | None:
        return None if value is None else timedelta(seconds=value)

    return policy.effective(
        policy.template(group.policy),
        nonhit_reads=seconds(group.nonhit_reads_s),
        hit_reads=seconds(group.hit_reads_s),
        images=seconds(group.images_s),
        alerts=seconds(group.alerts_s),
        deliveries=seconds(group.deliveries_s),
        positions=seconds(settings.officers.breadcrumbs_keep_s),
        audit=seconds(group.audit_s),
    )


def make_enforcer(settings: Settings, engine: Engine) -> Enforcer:
    return Enforcer(
        engine,
        policy=retention_policy(settings),
        images=ImageStore(settings.data_dir / "images"),
        batch_rows=settings.retention.batch_rows,
    )


def worker_config(settings: Settings) -> WorkerConfig:
    group = settings.worker
    return WorkerConfig(
        worker_id=new_worker_id(),
        batch_size=group.batch_size,
        lease_s=group.lease_s,
        max_attempts=group.max_attempts,
        poll_s=group.poll_s,
    )


@dataclass(eq=False)
class Runtime:
    settings: Settings
    clock: Clock
    engine: Engine
    writer_engine: Engine
    sender: PushSender
    alerting: AlertSettings
    index: HotListIndex
    officers: OfficerTracker
    beats: BeatMap
    beat_tagger: BeatTagger  # not beats.BeatTagger: in here `beats` is the field above
    beats_from: str
    bulletins: BulletinWatch
    writer: IngestWriter
    images: ImageStore
    intake: Intake
    camera_keys: CameraKeys
    principals: Principals
    throttle: Throttle
    timers: TimerRunner  # the alerts' timers, run by whichever worker is up
    worker: Worker | None
    audit_key: AuditKey
    checkpointer: Checkpointer  # the audit chain's head, noted outside the database
    _stops: list[Callable[[], None]] = field(default_factory=list)

    @classmethod
    def build(
        cls, settings: Settings, *, clock: Clock, sender: PushSender, worker: bool | None = None
    ) -> "Runtime":
        """Everything wired, nothing started. `worker` overrides `settings.worker.embedded`."""
        audit_key = keys.for_settings(settings)
        engine = keys.bind(make_engine(settings.database_url), audit_key)
        # The writer's own pool: no ping per checkout, which would cost a round trip per batch.
        writer_engine = keys.bind(
            make_engine(settings.database_url, pool_pre_ping=False), audit_key
        )
        alerting = alert_settings(settings)
        officers = OfficerTracker(fresh_for=timedelta(seconds=settings.routing.location_fresh_s))
        with transaction(engine) as session:
            beat_map, beats_from = beats.load(
                session,
                path=settings.officers.beats_file,
                code_property=settings.officers.beats_code_property,
            )
        index = HotListIndex(poll_interval_s=settings.ingest.hotlist_poll_s)
        watch = BulletinWatch(
            BulletinContext(
                rules=bulletin_rules(settings),
                alerts=alerting,
                officers=officers,
                beats=beat_map,
                notify_margin_m=settings.bulletins.notify_margin_m,
                notify_max_growth_m=settings.bulletins.notify_max_growth_m,
                retro_max_reads=settings.bulletins.retro_max_reads,
            ),
            poll_interval_s=settings.ingest.hotlist_poll_s,
        )
        writer = IngestWriter(
            engine=writer_engine,
            index=index,
            alert_settings=alerting,
            officers=officers,
            clock=clock,
            max_batch_rows=settings.ingest.max_batch,
            bulletins=watch,
        )
        tagger = beats.BeatTagger(beat_map)
        images = ImageStore(settings.data_dir / "images")
        embedded = settings.worker.embedded if worker is None else worker
        timers = TimerRunner(engine, alerting=alerting, officers=officers)
        return cls(
            settings=settings,
            clock=clock,
            engine=engine,
            writer_engine=writer_engine,
            sender=sender,
            alerting=alerting,
            index=index,
            officers=officers,
            beats=beat_map,
            beat_tagger=tagger,
            beats_from=beats_from,
            bulletins=watch,
            writer=writer,
            images=images,
            # Vendor intake (/v1/intake/..., `lookout mqtt-intake`) stores through the writer.
            intake=Intake(
                sources=CameraSources(engine),
                writer=writer,
                images=images,
                clock=clock,
                beats=tagger,
                read_max_age=timedelta(seconds=settings.ingest.read_max_age_s),
            ),
            camera_keys=CameraKeys(engine, pepper=settings.token_secret.get_secret_value()),
            principals=Principals(engine, pepper=settings.token_secret.get_secret_value()),
            throttle=Throttle(per_minute=settings.auth.bad_credentials_per_minute),
            timers=timers,
            worker=Worker(
                engine, sender, config=worker_config(settings), clock=clock, timers=timers
            )
            if embedded
            else None,
            audit_key=audit_key,
            checkpointer=Checkpointer(
                engine,
                key=audit_key,
                path=checkpoints.file_of(settings),
                clock=clock,
                every_s=settings.audit.checkpoint_every_s,
            ),
        )

    def start(self, *, listen: bool = True) -> "Runtime":
        """Start the threads. `listen` False: no PostgreSQL LISTEN, so changes made by other
        processes arrive only by polling (tests that pace them use it)."""
        if self.worker is not None:
            self.worker.start()
            self._stops.append(self.worker.stop)
            for engine in (self.engine, self.writer_engine):
                self._stops.append(outbox.wake_on_commit(engine, self.worker.wake))
        credentials = CredentialWatch(
            self.engine, forget=self.forget_credentials, poll_s=CREDENTIAL_POLL_S
        ).start()
        self._stops.append(credentials.stop)
        self._stops.append(changes.forget_on_commit(self.engine, self.forget_credentials))
        if listen and self.engine.dialect.name == "postgresql":
            wake = {
                HOTLIST_CHANNEL: self.index.invalidate,
                BULLETIN_CHANNEL: self.bulletins.invalidate,
                CREDENTIAL_CHANNEL: credentials.wake,
            }
            if self.worker is not None:
                wake[outbox.DELIVERY_CHANNEL] = self.worker.wake
            listener = Listener(self.settings.database_url, wake).start()
            self._stops.append(listener.stop)
        # Load the hot lists now, not on the first read: a million entries take seconds, and
        # the cameras' first posts should not wait for them.
        with transaction(self.writer_engine) as session:
            self.index.refresh(session, self.clock())
        self.writer.start()
        self._stops.append(self.writer.stop)
        if self.worker is not None:  # retention runs with the push worker
            housekeeper = Housekeeper(
                make_enforcer(self.settings, self.engine),
                clock=self.clock,
                every_s=self.settings.housekeeping_every_s,
            ).start()
            self._stops.append(housekeeper.stop)
        self._stops.append(self.checkpointer.start().stop)
        return self

    def forget_credentials(self) -> None:
        """A person, token, camera or key changed somewhere: check them again."""
        self.principals.forget()
        self.camera_keys.forget()
        self.intake.sources.clear()

    def stop(self) -> None:
        """Stop what `start` started, newest first, then dispose of the engines."""
        while self._stops:
            self._stops.pop()()
        self.writer_engine.dispose()
        self.engine.dispose()

    @contextmanager
    def running(self) -> Iterator["Runtime"]:
        self.start()
        try:
            yield self
        finally:
            self.stop()
