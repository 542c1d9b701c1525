/** VOMO's wire shapes: flat snake_case Laravel resources. */
import { PROJECTS } from '../generator/catalog';
import type { ParticipationPlan, VomoUserPlan } from '../generator/types';
import { vomoTimestamp } from '../time';

export function userResource(v: VomoUserPlan): Record<string, unknown> {
  const o: Record<string, unknown> = {
    type: 'user',
    id: v.malformed?.kind === 'id_null' ? null : v.quirk?.idAsString ? String(v.id) : v.id,
    first_name: v.firstName,
    last_name: v.lastName,
    full_name: `${v.firstName.trim()} ${v.lastName.trim()}`,
  };
  const email = v.malformed?.kind === 'email_object' ? { address: v.email } : v.email;
  o[v.quirk?.emailKey ?? 'email'] = email;
  Object.assign(o, {
    address: v.address,
    phone: v.phone,
    birthday: v.birthday,
    gender: v.gender,
    updated_at: vomoTimestamp(v.updatedAt),
    created_at: vomoTimestamp(v.createdAt),
    user_status: 'VERIFIED',
    membership_status: 'ACCEPTED',
    membership_role: v.role,
  });
  for (const k of v.quirk?.omitKeys ?? []) delete o[k];
  return o;
}

/** One participation, the same in a user's detail and in a project date's participants. */
export function participationResource(p: ParticipationPlan): Record<string, unknown> {
  const project = PROJECTS.find((x) => x.id === p.projectId);
  return {
    id: p.id,
    project_id: p.projectId,
    project_name: project?.name ?? null,
    project_date_id: p.projectDateId,
    starts_at: vomoTimestamp(p.startsAt),
    hours: p.hoursAsString ? String(p.hours) : p.hours,
    signed_up_at: vomoTimestamp(p.signedUpAt),
    checked_in_at: p.checkedInAt === null ? null : vomoTimestamp(p.checkedInAt),
    checked_out_at: p.checkedOutAt === null ? null : vomoTimestamp(p.checkedOutAt),
    ...(p.verified !== undefined ? { verified: p.verified } : {}),
  };
}

export function userDetail(v: VomoUserPlan): Record<string, unknown> {
  return {
    ...userResource(v),
    participations: v.participations.map(participationResource),
    profile_field_values: [],
  };
}
