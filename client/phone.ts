import { useEffect, useState } from 'react';

/** The width below which the layout is a phone's: drawer panel, bottom sheets, tab bar at the bottom (styles.css). */
export const PHONE_QUERY = '(max-width: 719px)';

/** Whether the screen is a phone's, following rotation and window resizes. */
export function usePhone(): boolean {
  const [phone, setPhone] = useState(() => window.matchMedia(PHONE_QUERY).matches);
  useEffect(() => {
    const query = window.matchMedia(PHONE_QUERY);
    const onChange = () => setPhone(query.matches);
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return phone;
}
